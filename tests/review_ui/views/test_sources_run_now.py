""""Run now" without a scheduler in this process: a background sweep through a fake connector,
and the refusals (expired basis, disabled, no classifier) said plainly on the page."""

from __future__ import annotations

import asyncio

from sqlmodel import func, select

from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent, SweepRun
from monitor.storage.tables.review import QueueItem
from monitor.storage.tables.sources import Source
from review_ui import keys
from tests.support.sources import FakeConnector, expire, good_basis, make_source
from tests.support.web import Client, login


async def _runs(db: Database, sid: int) -> list[SweepRun]:
    for _ in range(200):
        with db.read() as s:
            runs = list(s.exec(select(SweepRun).where(SweepRun.source_id == sid)).all())
        if runs:
            return runs
        await asyncio.sleep(0.05)
    raise AssertionError("the background sweep left no history row within 10 s")


async def test_officer_runs_a_source_now(
    client: Client, db: Database, connector: FakeConnector
) -> None:
    sid = make_source(db, "town", basis=good_basis(), include_terms=["town"])
    token = await login(client, "officer")
    r = await client.post(f"/sources/{sid}/run", data={"csrf_token": token},
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == f"/sources/{sid}?msg=started"
    [run] = await _runs(db, sid)
    assert (run.outcome, run.trigger, run.fetched, run.new) == ("ok", "manual", 2, 2)
    assert connector.calls == ["#town"]
    with db.read() as s:
        queued = select(func.count()).select_from(QueueItem).where(QueueItem.source_id == sid)
        assert s.exec(queued).one() == 2
        src = s.get(Source, sid)
        assert src is not None and src.cursor == "page-2" and src.last_success_at
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "sweep")).first()
    html = await (await client.get(f"/sources/{sid}")).text()
    assert "page-2" in html and "<td>manual</td><td>ok</td>" in html
    assert "never" not in html.split("Last success")[1][:80]


async def test_expired_basis_is_refused_and_said_why(
    client: Client, db: Database, connector: FakeConnector
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    expire(db, sid)
    token = await login(client, "admin")
    r = await client.post(f"/sources/{sid}/run", data={"csrf_token": token})
    html = await r.text()
    assert "Not run: this source may not be swept" in html
    assert "will not run: lawful basis DSA-2026-17 expired on" in html
    await asyncio.sleep(0.1)
    assert connector.calls == []


async def test_disabled_source_is_not_run(
    client: Client, db: Database, connector: FakeConnector
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    token = await login(client, "admin")
    await client.post(f"/sources/{sid}/disable", data={"csrf_token": token})
    r = await client.post(f"/sources/{sid}/run", data={"csrf_token": token})
    assert "Not run: the source is disabled" in await r.text()
    assert connector.calls == []


async def test_without_a_classifier_says_so(
    client: Client, db: Database, connector: FakeConnector
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    client.app[keys.MODEL].scorer = None
    token = await login(client, "officer")
    r = await client.post(f"/sources/{sid}/run", data={"csrf_token": token})
    assert "the classifier is not loaded" in await r.text()
    assert connector.calls == []
