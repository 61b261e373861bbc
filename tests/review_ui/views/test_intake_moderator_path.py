"""The moderator's path: a suggested username, "account created", honest fetch failures."""

from __future__ import annotations

from monitor.accounts.moderators import invite, suggested_username
from monitor.intake.reports import fetch_canonical_safely
from monitor.storage.db import Database
from tests.support.intake import report
from tests.support.web import PASSWORD, Client, csrf_of


def test_suggested_username() -> None:
    assert suggested_username("Sam Jones") == "sam.jones"
    assert suggested_username("jo@example.org") == "jo"
    assert suggested_username("Zoë O'Neil") == "zo.o.neil"
    assert suggested_username("!") == ""


async def test_invitation_prefills_and_login_confirms(web_client: Client, db: Database) -> None:
    with db.write() as s:
        token = invite(s, label="Sam Jones", actor="admin").token
    r = await web_client.get(f"/intake/invite/{token}")
    page = await r.text()
    assert 'value="sam.jones"' in page
    r = await web_client.post(f"/intake/invite/{token}", data={
        "csrf_token": csrf_of(page), "username": "sam.jones", "password": PASSWORD,
        "password2": PASSWORD}, allow_redirects=False)
    assert r.status == 303
    r = await web_client.get(r.headers["Location"])
    page = await r.text()
    assert 'id="login-notice"' in page and "Your account has been created" in page
    assert 'value="sam.jones"' in page
    # The password field takes focus: the username is already there.
    assert 'type="password" autocomplete="current-password" required autofocus' in page


async def test_network_failure_is_not_told_as_deleted() -> None:
    from connectors.base import SourceUnavailable

    async def unreachable(url: str) -> None:
        raise SourceUnavailable("connection refused")

    post, note = await fetch_canonical_safely(unreachable, report(url="https://social.example/@a/1",
                                                                  platform="mastodon"))
    assert post is None and note is not None
    assert "could not be reached" in note and "deleted" not in note

    async def gone(url: str) -> None:
        return None

    post, note = await fetch_canonical_safely(gone, report(url="https://social.example/@a/1",
                                                           platform="mastodon"))
    assert note is not None and "deleted or private" in note
