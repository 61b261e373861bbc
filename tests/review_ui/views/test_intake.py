"""The moderator pages: forward form, My reports, invitation, tokens; the officer's view."""

from __future__ import annotations

import re
from collections.abc import Callable

from aiohttp import FormData
from sqlmodel import select

from monitor.accounts.moderators import invite
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.reports import Report, Screenshot
from monitor.storage.tables.review import QueueItem
from tests.support.intake import jpeg_bytes, png_bytes
from tests.support.web import Client, csrf_of, login

FORM = {
    "url": "https://www.facebook.com/groups/town/posts/77",
    "platform": "facebook",
    "group": "Town Square",
    "text": "<script>alert(1)</script> muslims are scum, get out",
    "reason": "targets the new mosque",
}


def form(csrf: str, files: list[tuple[bytes, str]] = (), **over: str) -> FormData:  # type: ignore[assignment]
    data = FormData()
    data.add_field("csrf_token", csrf)
    for k, v in {**FORM, **over}.items():
        data.add_field(k, v)
    for content, name in files:
        data.add_field("screenshots", content, filename=name, content_type="image/png")
    return data


async def test_moderator_forwards_a_post_and_sees_it(
    web_client: Client, db: Database, mod_a: User
) -> None:
    csrf = await login(web_client, "mod_a")
    page = await web_client.get("/intake/report")
    assert page.status == 200 and 'enctype="multipart/form-data"' in await page.text()
    r = await web_client.post("/intake/report", allow_redirects=False,
                              data=form(csrf, [(png_bytes(), "a.png"), (jpeg_bytes(), "b.jpg")]))
    assert r.status == 303, await r.text()
    assert r.headers["Location"].startswith("/intake/reports?msg=sent")
    mine = await web_client.get("/intake/reports?msg=sent")
    html = await mine.text()
    assert "Received" in html and "has been received" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html  # hostile text escaped
    with db.read() as s:
        assert len(s.exec(select(Screenshot)).all()) == 2
        assert s.exec(select(Report)).one().channel == "form"


async def test_form_errors_keep_what_was_typed(web_client: Client, mod_a: User) -> None:
    csrf = await login(web_client, "mod_a")
    r = await web_client.post("/intake/report", data=form(csrf, url="javascript:alert(1)",
                                                         reason=""))
    assert r.status == 400
    html = await r.text()
    assert "the post&#39;s URL must start with http" in html
    assert "why you are worried is required" in html
    assert "targets the new mosque" not in html  # reason was blanked by us, not kept
    assert "muslims are scum" in html  # the pasted text survives the error


async def test_fake_image_is_refused_with_a_clear_message(
    web_client: Client, db: Database, mod_a: User
) -> None:
    csrf = await login(web_client, "mod_a")
    r = await web_client.post("/intake/report",
                              data=form(csrf, [(b"<?php system($_GET[1]); ?>", "cat.png")]))
    assert r.status == 400
    assert "cat.png: not a PNG or JPEG image" in await r.text()
    with db.read() as s:
        assert s.exec(select(Report)).first() is None


async def test_oversize_upload_is_refused(web_client: Client, mod_a: User) -> None:
    csrf = await login(web_client, "mod_a")
    big = png_bytes() + b"\x00" * (6 * 1024 * 1024)
    r = await web_client.post("/intake/report", data=form(csrf, [(big, "big.png")]))
    # Today the desk's 1 MB body cap answers first (413); with the cap raised as asked, the
    # screenshot check answers 400 "over the 5 MB limit". Either way nothing is stored.
    assert r.status in (400, 413)


async def test_moderators_are_isolated_and_kept_from_the_desk(
    web_client: Client, db: Database, mod_a: User, mod_b: User, officer: User
) -> None:
    csrf = await login(web_client, "mod_a")
    await web_client.post("/intake/report", data=form(csrf, reason="mod a's secret worry"))
    await web_client.post("/logout", data={"csrf_token": csrf})
    csrf = await login(web_client, "mod_b")
    html = await (await web_client.get("/intake/reports")).text()
    assert "secret worry" not in html and "have not forwarded" in html
    with db.read() as s:
        item_id = s.exec(select(QueueItem.id)).one()
    for path in ("/queue", f"/items/{item_id}", f"/intake/items/{item_id}/reports",
                 "/intake/screenshots/1"):
        r = await web_client.get(path, allow_redirects=False)
        assert r.status == 403, path


async def test_officer_sees_reports_with_track_record_and_sends_a_message(
    web_client: Client, db: Database, mod_a: User, officer: User
) -> None:
    csrf = await login(web_client, "mod_a")
    await web_client.post("/intake/report", data=form(csrf, [(png_bytes(), "s.png")]))
    await web_client.post("/logout", data={"csrf_token": csrf})
    csrf = await login(web_client, "officer1")
    for path in ("/intake/report", "/intake/reports", "/intake/tokens"):
        assert (await web_client.get(path, allow_redirects=False)).status == 403
    with db.read() as s:
        item_id = s.exec(select(QueueItem.id)).one()
        shot_id = s.exec(select(Screenshot.id)).one()
    page = await (await web_client.get(f"/intake/items/{item_id}/reports")).text()
    assert "mod_a" in page and "Track record: 0 of 0" in page and "targets the new mosque" in page
    img = await web_client.get(f"/intake/screenshots/{shot_id}")
    assert img.status == 200 and img.content_type == "image/png"
    assert (await img.read()).startswith(b"\x89PNG")
    r = await web_client.post(f"/intake/items/{item_id}/feedback", allow_redirects=False,
                              data={"csrf_token": csrf, "message": "Passed to the HCSO."})
    assert r.status == 303
    assert (await web_client.get("/intake/screenshots/99999999999")).status == 404
    long = await web_client.post(f"/intake/items/{item_id}/feedback",
                                 data={"csrf_token": csrf, "message": "x" * 600})
    assert long.status == 400 and "under 500 characters" in await long.text()
    await web_client.post("/logout", data={"csrf_token": csrf})
    await login(web_client, "mod_a")
    assert "Passed to the HCSO." in await (await web_client.get("/intake/reports")).text()
    with db.read() as s:
        actions = s.exec(select(AuditEvent.action)).all()
        assert "consult" in actions and "report.feedback" in actions


async def test_invitation_link_creates_a_moderator_once(web_client: Client, db: Database) -> None:
    with db.write() as s:
        token = invite(s, label="new@example.org", actor="admin").token
    page = await web_client.get(f"/intake/invite/{token}")
    assert page.status == 200
    csrf = csrf_of(await page.text())
    bad = await web_client.post(f"/intake/invite/{token}", data={
        "csrf_token": csrf, "username": "newmod", "password": "x" * 12, "password2": "y" * 12})
    assert bad.status == 400 and "not the same" in await bad.text()
    ok = await web_client.post(f"/intake/invite/{token}", allow_redirects=False, data={
        "csrf_token": csrf, "username": "newmod", "password": "plum-orchard-9",
        "password2": "plum-orchard-9"})
    assert ok.status == 303 and ok.headers["Location"].startswith("/login")
    again = await web_client.get(f"/intake/invite/{token}")
    assert again.status == 404 and "already been used" in await again.text()
    nope = await web_client.get("/intake/invite/not-a-token")
    assert nope.status == 404 and "not valid" in await nope.text()
    await login(web_client, "newmod", "plum-orchard-9")
    assert (await web_client.get("/intake/reports")).status == 200


async def test_token_page_shows_secret_once_and_revokes(
    web_client: Client, mod_a: User, make_user: Callable[..., User]
) -> None:
    csrf = await login(web_client, "mod_a")
    r = await web_client.post("/intake/tokens", data={"csrf_token": csrf, "name": "discord"})
    html = await r.text()
    m = re.search(r'id="token-secret">(hmr_[^<]+)<', html)
    assert r.status == 200 and m
    listing = await (await web_client.get("/intake/tokens")).text()
    assert "discord" in listing and m.group(1) not in listing
    tok_id = re.search(r"/intake/tokens/(\d+)/revoke", listing)
    assert tok_id
    r = await web_client.post(f"/intake/tokens/{tok_id.group(1)}/revoke",
                              data={"csrf_token": csrf}, allow_redirects=False)
    assert r.status == 303
    assert "revoked" in await (await web_client.get("/intake/tokens")).text()
    # No CSRF token: refused by the desk's middleware.
    r = await web_client.post("/intake/tokens", data={"name": "x"})
    assert r.status == 403
