"""The web client for tests: the one app builder, the one login and the one ``csrf_of``."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from monitor.config import Settings
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.support.fakes import FakeScorer

PASSWORD = "correct horse battery staple"
Client = TestClient[Any, Any]
CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


def build_app(settings: Settings, db: Database, scorer: FakeScorer) -> web.Application:
    """The real desk app (every page, the bots' API, ``/metrics``) on the test database."""
    return create_app(settings, db=db, scorer=scorer)


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


async def login(client: Client, username: str, password: str = PASSWORD) -> str:
    """Log in and return the session's CSRF token."""
    r = await client.get("/login")
    token = csrf_of(await r.text())
    r = await client.post("/login", data={"username": username, "password": password,
                                          "csrf_token": token}, allow_redirects=False)
    assert r.status == 303, await r.text()
    r = await client.get("/account")
    assert r.status == 200
    return csrf_of(await r.text())
