"""The accounts page: admins only, CSRF on every change, every change audited under the admin,
and a disabled user's session ends at once."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlmodel import col, select

from monitor.accounts import users
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.types import utcnow
from review_ui.app import create_app
from tests.support.fakes import FakeScorer

Client = TestClient[Any, Any]
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _csrf(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    with db.write() as s:
        return {name: users.create_user(s, username=name, role=role, password=PASSWORD,
                                        actor="test").id or 0
                for name, role in (("chief", "admin"), ("pc_jones", "officer"))}


@pytest.fixture
async def login(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer,
) -> Callable[[str, str], Awaitable[tuple[Client, str]]]:
    server = TestServer(create_app(settings, db=db, scorer=fake_scorer))
    await server.start_server()

    async def as_user(username: str, password: str = PASSWORD) -> tuple[Client, str]:
        client = await aiohttp_client(server)
        token = _csrf(await (await client.get("/login")).text())
        r = await client.post("/login", data={"username": username, "password": password,
                                              "csrf_token": token}, allow_redirects=False)
        assert r.status == 303, await r.text()
        return client, _csrf(await (await client.get("/account")).text())

    return as_user


def _user(db: Database, name: str) -> User:
    with db.read() as s:
        found = users.get_user(s, name)
    assert found is not None
    return found


async def test_admin_runs_accounts_and_a_disabled_user_is_out_at_once(
    login: Callable[..., Awaitable[tuple[Client, str]]], db: Database, ids: dict[str, int],
) -> None:
    officer, officer_token = await login("pc_jones")
    assert (await officer.get("/users")).status == 403
    r = await officer.post(f"/users/{ids['chief']}/disable", data={"csrf_token": officer_token})
    assert r.status == 403 and not _user(db, "chief").disabled

    chief, token = await login("chief")
    page = await (await chief.get("/users")).text()
    assert "pc_jones" in page and f'action="/users/{ids["pc_jones"]}/disable"' in page
    # CSRF on every change.
    r = await chief.post(f"/users/{ids['pc_jones']}/disable", data={})
    assert r.status == 403 and not _user(db, "pc_jones").disabled

    r = await chief.post(f"/users/{ids['pc_jones']}/disable", data={"csrf_token": token})
    assert r.status == 200 and _user(db, "pc_jones").disabled
    assert (await officer.get("/queue", allow_redirects=False)).status == 303  # out at once

    r = await chief.post(f"/users/{ids['pc_jones']}/enable", data={"csrf_token": token})
    assert r.status == 200 and not _user(db, "pc_jones").disabled
    # Enabling again does not bring the old session back.
    assert (await officer.get("/queue", allow_redirects=False)).status == 303

    with db.write() as s:
        u = s.get(User, ids["pc_jones"])
        assert u is not None
        u.locked_until = utcnow() + timedelta(minutes=15)
        s.add(u)
    r = await chief.post(f"/users/{ids['pc_jones']}/unlock", data={"csrf_token": token})
    assert r.status == 200 and _user(db, "pc_jones").locked_until is None

    r = await chief.post(f"/users/{ids['pc_jones']}/role",
                         data={"csrf_token": token, "role": "moderator"})
    assert r.status == 200 and _user(db, "pc_jones").role == "moderator"
    r = await chief.post(f"/users/{ids['pc_jones']}/role",
                         data={"csrf_token": token, "role": "superuser"})
    assert r.status == 400

    r = await chief.post(f"/users/{ids['pc_jones']}/reset-password", data={"csrf_token": token})
    html = await r.text()
    shown = html.split('id="new-password"')[1] if 'id="new-password"' in html else "<code></code>"
    new = shown.split("<code>")[1].split("</code>")[0]
    assert r.status == 200 and users.check_password(_user(db, "pc_jones"), new)
    await login("pc_jones", new)

    # The last administrator cannot remove themselves.
    r = await chief.post(f"/users/{ids['chief']}/disable", data={"csrf_token": token})
    assert r.status == 400 and "last active administrator" in await r.text()

    with db.read() as s:
        events = s.exec(select(AuditEvent).where(col(AuditEvent.action).startswith("user."))
                        .order_by(col(AuditEvent.id))).all()
    changes = [(e.actor, e.action) for e in events if e.action != "user.create"]
    assert changes == [("chief", a) for a in ("user.disable", "user.enable", "user.unlock",
                                               "user.set_role", "user.reset_password")]
    assert all(new not in str(e.details) for e in events)
    assert (await chief.get(f"/users/{ids['pc_jones']}/nonsense")).status in (404, 405)
