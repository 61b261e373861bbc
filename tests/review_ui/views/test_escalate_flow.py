"""Recording "possible crime" leads straight into the escalation, prefilled from the decision."""

from __future__ import annotations

import html as html_lib

from monitor.storage.db import Database
from tests.support.web import Client, login


async def test_possible_crime_redirects_to_prefilled_escalation(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    item = populated[0]
    await client.get(f"/items/{item}")
    r = await client.post(f"/items/{item}/decide", data={
        "csrf_token": token, "outcome": "possible_crime", "strands": "race",
        "perceived_by": "witness", "offences": "mca1988_s1",
        "rationale": "Threat to kill; refer to CID",
    }, allow_redirects=False)
    assert r.status == 303
    location = r.headers["Location"]
    assert location == f"/cases/new?items={item}&decided=possible_crime"
    r = await client.get(location)
    page = html_lib.unescape(await r.text())
    assert r.status == 200
    assert 'id="decided-notice"' in page and "Decision recorded: possible crime" in page
    assert ">Threat to kill; refer to CID</textarea>" in page
    assert 'value="race" checked' in page
    assert 'value="mca1988_s1" checked' in page
    assert 'value="witness" selected' in page
    assert f'href="/next?after={item}"' in page  # the way back to triage


async def test_other_outcomes_still_move_on(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    item = populated[1]
    await client.get(f"/items/{item}")
    r = await client.post(f"/items/{item}/decide", data={
        "csrf_token": token, "outcome": "hate_intelligence", "strands": "religion",
        "perceived_by": "officer", "rationale": "derogatory about Muslims",
    }, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/next?after=")


async def test_item_page_offers_the_escalation_key(
    client: Client, populated: list[int]
) -> None:
    await login(client, "officer")
    r = await client.get(f"/items/{populated[0]}")
    page = await r.text()
    assert "Escalate to a case (c)" in page
    r = await client.get("/queue")
    assert "<kbd>c</kbd>" in await r.text()  # in the shortcuts help on every page
