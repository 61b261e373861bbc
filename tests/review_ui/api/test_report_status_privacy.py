"""A moderator learns only what happened to their own reports: reporting a post someone else
reported does not reveal the decision on it. The web form and invalid bearer tokens are
rate-limited."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlmodel import select

from monitor.accounts.moderators import create_token
from monitor.accounts.users import create_user
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow
from review_ui.app import create_app
from review_ui.keys import INTAKE
from tests.support.fakes import FakeScorer

Client = TestClient[Any, Any]
PASSWORD = "correct horse battery staple"
URL = "https://www.facebook.com/groups/townsquare/posts/77"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _body(url: str = URL, reason: str = "hostile to the new families") -> dict[str, str]:
    return {"url": url, "text": "get out of our town, immigrants are vermin",
            "platform": "facebook", "group": "Town Square", "reason": reason}


@pytest.fixture
def people(db: Database) -> dict[str, User]:
    with db.write() as s:
        return {name: create_user(s, username=name, role=role, password=PASSWORD, actor="test")
                for name, role in (("mod_a", "moderator"), ("mod_b", "moderator"),
                                   ("officer", "officer"))}


@pytest.fixture
async def client(aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings,
                 db: Database, fake_scorer: FakeScorer) -> Client:
    return await aiohttp_client(create_app(settings, db=db, scorer=fake_scorer))


def _token(db: Database, user: User) -> dict[str, str]:
    with db.write() as s:
        return {"Authorization": f"Bearer {create_token(s, user=user, name='bot').secret}"}


def _decide(db: Database, item_id: int, officer: User, outcome: str) -> None:
    with db.write() as s:
        item = s.get(QueueItem, item_id)
        assert item is not None
        for old in s.exec(select(Decision).where(Decision.queue_item_id == item_id)).all():
            old.undone_at = utcnow()
            s.add(old)
        item.status = "decided"
        item.decided_at = utcnow()
        s.add(item)
        s.add(Decision(queue_item_id=item_id, capture_id=item.capture_id,
                       user_id=officer.id or 0, outcome=outcome))


async def test_reporting_a_decided_post_does_not_reveal_the_decision(
    client: Client, db: Database, people: dict[str, User]
) -> None:
    bot_a, bot_b = _token(db, people["mod_a"]), _token(db, people["mod_b"])
    r = await client.post("/api/v1/reports", json=_body(), headers=bot_a)
    assert r.status == 201
    first = await r.json()
    with db.read() as s:
        item_id = s.exec(select(QueueItem.id)).one()
    assert item_id is not None
    _decide(db, item_id, people["officer"], "possible_crime")
    mine = await (await client.get(f"/api/v1/reports/{first['id']}", headers=bot_a)).json()
    assert mine["status"] == "action_taken"  # the reporter hears the outcome

    # Another moderator's bot asks about the same URL: a fresh report, "received".
    r = await client.post("/api/v1/reports", json=_body(reason="probing"), headers=bot_b)
    assert r.status == 201
    probe = await r.json()
    assert probe["status"] == "received"
    listing = await (await client.get("/api/v1/reports", headers=bot_b)).json()
    assert [x["status"] for x in listing["reports"]] == ["received"]
    # Once an officer acts after their report, they hear about it too.
    _decide(db, item_id, people["officer"], "not_hate")
    again = await (await client.get(f"/api/v1/reports/{probe['id']}", headers=bot_b)).json()
    assert again["status"] == "no_action"


async def test_invalid_bearer_tokens_are_rate_limited(
    client: Client, db: Database, people: dict[str, User]
) -> None:
    codes = []
    for n in range(25):
        r = await client.get("/api/v1/reports", headers={"Authorization": f"Bearer hmr_guess{n}"})
        codes.append(r.status)
    assert codes[:20] == [401] * 20
    assert set(codes[20:]) == {429}
    assert int(r.headers["Retry-After"]) >= 1


async def test_the_web_form_is_rate_limited(
    client: Client, db: Database, people: dict[str, User]
) -> None:
    token = _CSRF.search(await (await client.get("/login")).text())
    assert token
    r = await client.post("/login", data={"username": "mod_a", "password": PASSWORD,
                                          "csrf_token": token.group(1)}, allow_redirects=False)
    assert r.status == 303
    page = await (await client.get("/intake/report")).text()
    csrf = _CSRF.search(page)
    assert csrf
    client.app[INTAKE].form_bucket.burst = 2.0
    codes = []
    for n in range(3):
        r = await client.post("/intake/report", data={
            **_body(url=f"{URL}{n}"), "csrf_token": csrf.group(1)}, allow_redirects=False)
        codes.append(r.status)
    assert codes == [303, 303, 429]
    assert "Your text is still here" in await r.text()
