"""After an evidence export the officer is told it happened (the download alone says nothing)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.review_ui.views.test_cases import _escalate, items, new_client  # noqa: F401 (fixtures)
from tests.support.web import Client, login


async def test_export_sets_the_confirmation_cookie(
    new_client: Callable[[], Awaitable[Client]], items: list[int],  # noqa: F811
) -> None:
    client = await new_client()
    token = await login(client, "officer")
    ref = await _escalate(client, token, items[:1])
    page = await (await client.get(f"/cases/{ref}/export")).text()
    assert 'id="export-done"' in page and "hidden" in page
    r = await client.post(f"/cases/{ref}/export", data={
        "csrf_token": token, "recipient": "CPS", "justification": "charging advice"})
    assert r.status == 200
    cookie = r.cookies["hm_exported"]
    assert cookie.value == r.headers["X-Pack-SHA256"]
    assert cookie["path"] == f"/cases/{ref}" and cookie["samesite"] == "Strict"
    assert not cookie["httponly"]  # desk.js reads it to show the confirmation
