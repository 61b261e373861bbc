"""Wellness preferences: new accounts start with blur on; every hateful text is marked."""

from __future__ import annotations

from monitor.accounts import sessions
from monitor.storage.db import Database
from tests.support.web import Client, login


def test_new_accounts_blur_by_default() -> None:
    from monitor.storage.tables.accounts import User

    assert sessions.preferences(User(username="n", role="officer", password_hash="x")) == {
        "blur_text": True, "greyscale_images": False}


async def test_pages_carry_the_preference(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    page = await (await client.get(f"/items/{populated[0]}")).text()
    assert 'class="wellness-blur"' in page and 'id="reveal-hint"' in page
    page = await (await client.get("/queue")).text()
    assert "wellness-blur" in page and 'class="post-text preview"' in page
    r = await client.post("/account/preferences", data={
        "csrf_token": token, "greyscale_images": "on"}, allow_redirects=False)
    assert r.status == 303
    page = await (await client.get(f"/items/{populated[0]}")).text()
    assert 'class="wellness-grey"' in page and 'id="reveal-hint"' not in page
