"""Sessions, CSRF, lock-out, throttling, TOTP, headers, and hostile post content."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pyotp
import time_machine
from sqlmodel import select

from monitor.accounts.sessions import COOKIE_NAME
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui.app import create_app
from tests.support.desk import fill_queue
from tests.support.fakes import FakeScorer
from tests.support.web import PASSWORD, Client, build_app, csrf_of, login

XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> & "quotes"'


def _set_cookie(client: Client, value: str) -> None:
    jar = client.session.cookie_jar
    jar.clear()
    jar.update_cookies({COOKIE_NAME: value}, response_url=client.make_url("/"))


def _user(db: Database, name: str) -> User:
    with db.read() as s:
        return s.exec(select(User).where(User.username == name)).one()


async def test_security_headers_and_cookie_flags(client: Client) -> None:
    r = await client.get("/login")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie
    html = await r.text()
    assert "<script>" not in html and 'src="/static/desk.js' in html
    r = await client.get("/static/desk.js")
    assert r.status == 200 and r.headers["X-Frame-Options"] == "DENY"


async def test_secure_cookies_setting(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, populated: list[int],
) -> None:
    c = await aiohttp_client(create_app(settings.with_overrides(service__secure_cookies=True),
                                        db=db, scorer=fake_scorer))
    r = await c.get("/login")
    assert "Secure" in r.headers["Set-Cookie"]


async def test_post_without_csrf_token_is_refused(client: Client, db: Database,
                                                  populated: list[int]) -> None:
    await login(client, "officer")
    r = await client.post(f"/items/{populated[0]}/decide", data={"outcome": "not_hate"})
    assert r.status == 403 and "did not come from this site" in await r.text()
    r = await client.post(f"/items/{populated[0]}/decide",
                          data={"outcome": "not_hate", "csrf_token": "forged"})
    assert r.status == 403
    r = await client.post(f"/api/items/{populated[0]}/claim", headers={"X-CSRF-Token": "nope"})
    assert r.status == 403 and (await r.json())["status"] == 403


async def test_tampered_cookie_is_anonymous(client: Client) -> None:
    await login(client, "admin")
    jar = client.session.cookie_jar
    cookie = next(c for c in jar if c.key == COOKIE_NAME)
    payload, _, sig = cookie.value.partition(".")
    _set_cookie(client, payload[:-2] + "AA." + sig)
    r = await client.get("/queue", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/login")


async def test_logout_invalidates_old_cookies(client: Client) -> None:
    token = await login(client, "officer")
    cookie = next(c for c in client.session.cookie_jar if c.key == COOKIE_NAME).value
    r = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert r.status == 303
    _set_cookie(client, cookie)  # a stolen copy of the old session
    r = await client.get("/queue", allow_redirects=False)
    assert r.status == 303


async def test_lockout_after_repeated_failures(client: Client, db: Database) -> None:
    for _ in range(5):
        r = await client.get("/login")
        token = csrf_of(await r.text())
        r = await client.post("/login", data={"username": "officer", "password": "wrong-pw",
                                              "csrf_token": token})
        assert r.status == 401 and "Wrong username or password" in await r.text()
    assert _user(db, "officer").locked_until is not None
    token = csrf_of(await (await client.get("/login")).text())
    r = await client.post("/login", data={"username": "officer", "password": PASSWORD,
                                          "csrf_token": token})
    # The same answer as for an unknown name, so the lock does not confirm the account exists.
    assert r.status == 401 and "locked" in await r.text()


async def test_per_address_throttle(client: Client) -> None:
    for n in range(20):
        token = csrf_of(await (await client.get("/login")).text())
        await client.post("/login", data={"username": f"ghost{n}", "password": "x",
                                          "csrf_token": token})
    token = csrf_of(await (await client.get("/login")).text())
    r = await client.post("/login", data={"username": "admin", "password": "also-wrong",
                                          "csrf_token": token})
    assert r.status == 429
    # Other people's failures never refuse a correct password on an unlocked account.
    r = await client.post("/login", data={"username": "admin", "password": PASSWORD,
                                          "csrf_token": token}, allow_redirects=False)
    assert r.status == 303


async def test_totp_enrolment_and_second_factor(client: Client, db: Database) -> None:
    await login(client, "officer")
    r = await client.get("/account/totp")
    html = await r.text()
    secret = html.split('id="totp-secret">')[1].split("<")[0]
    token = csrf_of(html)
    r = await client.post("/account/totp", data={"csrf_token": token, "code": "000000"})
    assert r.status == 400
    r = await client.post("/account/totp", data={"csrf_token": token,
                                                 "code": pyotp.TOTP(secret).now()},
                          allow_redirects=False)
    assert r.status == 303 and _user(db, "officer").totp_secret == secret
    await client.post("/logout", data={"csrf_token": token})
    token = csrf_of(await (await client.get("/login")).text())
    r = await client.post("/login", data={"username": "officer", "password": PASSWORD,
                                          "csrf_token": token}, allow_redirects=False)
    assert r.headers["Location"].startswith("/login/totp")
    r = await client.get("/queue", allow_redirects=False)
    assert r.status == 303  # half logged in is not logged in
    r = await client.get("/login/totp")
    token = csrf_of(await r.text())
    r = await client.post("/login/totp", data={"csrf_token": token, "code": "123456"})
    assert r.status == 401
    # Each code works once: the next step's code (accepted for clock drift) logs in.
    r = await client.post("/login/totp", data={"csrf_token": token,
                                               "code": pyotp.TOTP(secret).at(time.time() + 30)},
                          allow_redirects=False)
    assert r.status == 303
    html = await (await client.get("/queue")).text()
    token = csrf_of(html)
    r = await client.post("/account/totp/disable", data={"csrf_token": token, "code": "1"})
    assert r.status == 400 and _user(db, "officer").totp_secret == secret
    with time_machine.travel(utcnow() + timedelta(seconds=60)):
        r = await client.post("/account/totp/disable", data={
            "csrf_token": token, "code": pyotp.TOTP(secret).now()}, allow_redirects=False)
    assert r.status == 303 and _user(db, "officer").totp_secret is None


async def test_expired_session_is_anonymous(client: Client) -> None:
    await login(client, "officer")
    with time_machine.travel(utcnow() + timedelta(hours=13)):
        r = await client.get("/queue", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/login")


async def test_open_redirect_refused(client: Client) -> None:
    token = csrf_of(await (await client.get("/login")).text())
    r = await client.post("/login", data={"username": "officer", "password": PASSWORD,
                                          "csrf_token": token, "next": "//evil.example/"},
                          allow_redirects=False)
    assert r.headers["Location"] == "/"


async def test_hostile_post_is_rendered_as_text(
    client: Client, db: Database, fake_scorer: FakeScorer
) -> None:
    [item] = fill_queue(db, fake_scorer, [XSS + " immigrants are scum"], start=500)
    await login(client, "officer")
    for path in ("/queue", f"/items/{item}"):
        html = await (await client.get(path)).text()
        assert "<script>window.pwned" not in html and "<img src=x" not in html
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html


async def test_wellness_preferences(client: Client, db: Database) -> None:
    token = await login(client, "officer")
    r = await client.post("/account/preferences",
                          data={"csrf_token": token, "blur_text": "on"}, allow_redirects=False)
    assert r.status == 303
    prefs = _user(db, "officer").preferences
    assert prefs["blur_text"] is True and prefs["greyscale_images"] is False
    html = await (await client.get("/queue")).text()
    assert 'class="wellness-blur"' in html


async def test_healthz_reports_model_failure(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    tmp_path: Any,
) -> None:
    missing = tmp_path / "no artefact here"
    c = await aiohttp_client(create_app(settings.with_overrides(model__path=str(missing)), db=db))
    for _ in range(600):  # the first import of torch in a process can take seconds
        body = await (await c.get("/healthz")).json()
        if not body["model"].get("loading"):
            break
        await asyncio.sleep(0.05)
    assert body["status"] == "degraded", body
    assert "no artefact here" in body["model"]["error"], body
    assert body["database"]["ok"] is True


async def test_healthz_503_when_database_is_down(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, monkeypatch: Any,
) -> None:
    def unreachable() -> Any:
        raise OSError("connection refused")

    monkeypatch.setattr(db, "read", unreachable)
    c = await aiohttp_client(build_app(settings, db, fake_scorer))
    r = await c.get("/healthz")
    body = await r.json()
    assert r.status == 503 and body["database"] == {"ok": False, "backend": db.dialect,
                                                    "error": "OSError"}


async def test_only_web_addresses_become_links(
    client: Client, db: Database, fake_scorer: FakeScorer
) -> None:
    from dataclasses import replace

    from monitor.ingest.pipeline import process_posts_sync
    from monitor.review.priority import PriorityWeights
    from tests.support.fakes import make_post

    post = replace(make_post(700, "immigrants are scum"), url="javascript:alert(1)")
    r = process_posts_sync(db, fake_scorer, [post], weights=PriorityWeights(), origin="import",
                           actor="t")
    await login(client, "officer")
    html = await (await client.get(f"/items/{r.queue_item_ids[0]}")).text()
    assert 'href="javascript:' not in html and "not a web address" in html
    html = await (await client.get("/items/1")).text()
    assert 'id="original-link"' in html and 'rel="noopener noreferrer nofollow"' in html
