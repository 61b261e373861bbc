"""Failed logins are throttled per account and per client, the client being the address behind a
trusted proxy; nobody else's failures refuse a correct password; locked and unknown accounts get
one answer; a TOTP code works once; replacing the second factor needs the current one."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from aiohttp.test_utils import TestClient

from monitor.accounts import sessions, users
from monitor.accounts.throttle import client_ip, parse_networks
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui.app import create_app
from tests.support.fakes import FakeScorer

Client = TestClient[Any, Any]
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
_ERROR = re.compile(r'id="login-error">([^<]*)<')


def _csrf(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture
def accounts(db: Database) -> None:
    with db.write() as s:
        users.create_user(s, username="admin", role="admin", password=PASSWORD, actor="test")
        users.create_user(s, username="officer", role="officer", password=PASSWORD, actor="test")


async def _client(aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings,
                  db: Database, scorer: FakeScorer) -> Client:
    return await aiohttp_client(create_app(settings, db=db, scorer=scorer))


async def _post_login(client: Client, username: str, password: str,
                      headers: dict[str, str] | None = None) -> tuple[int, str]:
    token = _csrf(await (await client.get("/login")).text())
    r = await client.post("/login", data={"username": username, "password": password,
                                          "csrf_token": token},
                          headers=headers or {}, allow_redirects=False)
    return r.status, await r.text()


def _user(db: Database, name: str) -> User:
    with db.read() as s:
        found = users.get_user(s, name)
    assert found is not None
    return found


def test_client_address_believes_only_trusted_proxies() -> None:
    proxy = parse_networks(["10.0.0.1", "192.168.0.0/16"])
    assert client_ip("203.0.113.9", ["198.51.100.1"], proxy) == "203.0.113.9"  # not a proxy
    assert client_ip("10.0.0.1", ["198.51.100.1"], proxy) == "198.51.100.1"
    # The client can write anything at the left; only what trusted hops appended counts.
    assert client_ip("10.0.0.1", ["1.2.3.4, 198.51.100.1, 192.168.1.1"], proxy) == "198.51.100.1"
    assert client_ip("10.0.0.1", [], proxy) == "10.0.0.1"
    assert client_ip("10.0.0.1", ["nonsense"], proxy) == "10.0.0.1"
    assert client_ip("198.51.100.1", ["1.2.3.4"], ()) == "198.51.100.1"


async def test_made_up_names_from_one_client_do_not_lock_out_the_admin(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, accounts: None,
) -> None:
    behind_proxy = settings.with_overrides(service__trusted_proxies=["127.0.0.1"])
    client = await _client(aiohttp_client, behind_proxy, db, fake_scorer)
    attacker = {"X-Forwarded-For": "198.51.100.66"}
    for n in range(20):
        status, _ = await _post_login(client, f"ghost{n}", "guess", attacker)
        assert status == 401
    status, _ = await _post_login(client, "admin", "guess", attacker)
    assert status == 429  # the guessing client is throttled...
    status, _ = await _post_login(client, "admin", PASSWORD, {"X-Forwarded-For": "198.51.100.7"})
    assert status == 303  # ...the administrator, elsewhere behind the same proxy, is not


async def test_a_correct_password_passes_even_from_a_throttled_address(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, accounts: None,
) -> None:
    # The proxy is not listed as trusted: everyone shares its address, and a spoofed
    # X-Forwarded-For does not move the attacker to a fresh bucket.
    client = await _client(aiohttp_client, settings, db, fake_scorer)
    for n in range(20):
        await _post_login(client, f"ghost{n}", "guess", {"X-Forwarded-For": f"192.0.2.{n}"})
    status, _ = await _post_login(client, "officer", "guess", {"X-Forwarded-For": "192.0.2.99"})
    assert status == 429
    status, _ = await _post_login(client, "admin", PASSWORD)
    assert status == 303


async def test_locked_and_unknown_accounts_get_the_same_answer(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, accounts: None,
) -> None:
    client = await _client(aiohttp_client, settings, db, fake_scorer)
    for _ in range(sessions.MAX_FAILED_LOGINS):
        await _post_login(client, "officer", "wrong password")
    assert _user(db, "officer").locked_until is not None
    locked = await _post_login(client, "officer", PASSWORD)
    unknown = await _post_login(client, "nobody-at-all", PASSWORD)
    assert locked[0] == unknown[0] == 401
    assert _ERROR.findall(locked[1]) == _ERROR.findall(unknown[1]) != []


async def _enrol(client: Client, db: Database) -> str:
    r = await client.get("/account/totp")
    html = await r.text()
    secret = html.split('id="totp-secret">')[1].split("<")[0]
    r = await client.post("/account/totp", data={"csrf_token": _csrf(html),
                                                 "code": pyotp.TOTP(secret).now()},
                          allow_redirects=False)
    assert r.status == 303 and _user(db, "officer").totp_secret == secret
    return secret


async def test_replacing_the_second_factor_needs_the_current_code(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, accounts: None,
) -> None:
    client = await _client(aiohttp_client, settings, db, fake_scorer)
    assert (await _post_login(client, "officer", PASSWORD))[0] == 303
    first = await _enrol(client, db)
    # A stolen session tries to enrol the thief's authenticator.
    html = await (await client.get("/account/totp")).text()
    thief = html.split('id="totp-secret">')[1].split("<")[0]
    r = await client.post("/account/totp", data={"csrf_token": _csrf(html),
                                                 "code": pyotp.TOTP(thief).now()})
    assert r.status == 400
    assert _user(db, "officer").totp_secret == first
    with time_machine.travel(utcnow() + timedelta(seconds=60)):
        r = await client.post("/account/totp", data={
            "csrf_token": _csrf(html), "code": pyotp.TOTP(thief).now(),
            "current_code": pyotp.TOTP(first).now()}, allow_redirects=False)
    assert r.status == 303 and _user(db, "officer").totp_secret == thief


async def test_a_totp_code_is_accepted_once(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, accounts: None,
) -> None:
    with db.write() as s:
        uid = _user(db, "officer").id or 0
        sessions.set_totp(s, uid, pyotp.random_base32())
    secret = _user(db, "officer").totp_secret or ""
    code = pyotp.TOTP(secret).at(time.time() + 30)
    results = []
    for _ in range(2):
        client = await _client(aiohttp_client, settings, db, fake_scorer)
        status, _ = await _post_login(client, "officer", PASSWORD)
        assert status == 303
        token = _csrf(await (await client.get("/login/totp")).text())
        r = await client.post("/login/totp", data={"csrf_token": token, "code": code},
                              allow_redirects=False)
        results.append(r.status)
    assert results == [303, 401]
