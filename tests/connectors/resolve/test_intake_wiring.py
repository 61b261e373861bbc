"""Through the bot API of the real app: a fetchable reported URL stores the platform's capture
(origin "report"); an unfetchable one keeps the moderator's copy."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

from connectors.http.parse import item_raw
from monitor.accounts.moderators import create_token
from monitor.accounts.users import create_user
from monitor.config import Settings
from monitor.intake.reports import MODERATOR_COPY_TYPE
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.reports import Report
from monitor.storage.tables.review import QueueItem
from monitor.storage.tables.sources import Source
from review_ui.app import create_app, make_fetcher
from review_ui.keys import INTAKE
from tests.connectors.resolve.conftest import FakePlatform, fixture_json
from tests.support.fakes import FakeScorer
from tests.support.web import Client

STATUS_ID = "113000000000000003"


@pytest.fixture
def token(db: Database) -> str:
    with db.write() as s:
        user = create_user(s, username="mod_a", role="moderator",
                           password="correct horse battery staple", actor="test")
        # The Mastodon instance is trusted because a configured source reads it.
        s.add(Source(name="social", connector="mastodon", target="tag:town",
                     base_url="https://social.example"))
        return create_token(s, user=user, name="bot").secret


@pytest.fixture
async def client(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], settings: Settings,
    db: Database, fake_scorer: FakeScorer, fake: FakePlatform,
) -> Client:
    app = create_app(settings, db=db, scorer=fake_scorer)
    made = await aiohttp_client(app)
    # Startup installed the production fetch; the test swaps in the same fetch aimed at the
    # fake platform (the reported URL still passes the production host rules).
    assert app[INTAKE].fetch_canonical is not None
    app[INTAKE].fetch_canonical = make_fetcher(app, api_base=fake.url)
    return made


def body(url: str, platform: str = "mastodon") -> dict[str, Any]:
    return {"url": url, "text": "what I saw: they are vermin", "platform": platform,
            "group": "Town Square", "reason": "dehumanising our neighbours"}


async def test_fetchable_report_stores_the_canonical_capture(
    client: Client, db: Database, fake: FakePlatform, token: str
) -> None:
    status = fixture_json("mastodon", "tag_timeline.json")[0]
    fake.on(f"/api/v1/statuses/{STATUS_ID}", status)
    r = await client.post("/api/v1/reports", headers={"Authorization": f"Bearer {token}"},
                          json=body(f"https://social.example/@alice/{STATUS_ID}"))
    assert r.status == 201, await r.text()
    out = await r.json()
    assert out["capture_kind"] == "canonical" and out["fetch_note"] is None
    with db.read() as s:
        cap = s.exec(select(Capture)).one()
        assert cap.origin == "report" and cap.platform == "mastodon"
        assert cap.raw == item_raw(status) and cap.url == status["url"]
        assert s.exec(select(QueueItem)).one().capture_id == cap.id
        assert s.exec(select(Report)).one().capture_kind == "canonical"


async def test_unfetchable_report_keeps_the_moderators_copy(
    client: Client, db: Database, fake: FakePlatform, token: str
) -> None:
    fake.on("/api/v1/statuses/404", {"error": "Record not found"}, status=404)
    headers = {"Authorization": f"Bearer {token}"}
    r = await client.post("/api/v1/reports", headers=headers,
                          json=body("https://social.example/@alice/404"))
    assert r.status == 201, await r.text()
    out = await r.json()
    assert out["capture_kind"] == "moderator_copy"
    assert "moderator's copy stands" in out["fetch_note"]
    # A host no source reads is never contacted at all.
    r = await client.post("/api/v1/reports", headers=headers,
                          json=body("https://elsewhere.example/@bob/1"))
    assert (await r.json())["capture_kind"] == "moderator_copy"
    assert fake.paths() == ["/api/v1/statuses/404"]
    with db.read() as s:
        caps = s.exec(select(Capture)).all()
        assert {c.raw_content_type for c in caps} == {MODERATOR_COPY_TYPE}
        assert all(json.loads(c.raw)["text"] == "what I saw: they are vermin" for c in caps)


async def test_config_fetch_hosts_are_trusted(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]], settings: Settings,
    db: Database, fake_scorer: FakeScorer, fake: FakePlatform, token: str,
) -> None:
    # [intake] fetch_hosts in config.toml trusts a forum no source reads yet.
    trusting = Settings(settings.values, settings.path,
                        {**settings.extra, "intake": {"fetch_hosts": ["forum.example"]}})
    app = create_app(trusting, db=db, scorer=fake_scorer)
    client = await aiohttp_client(app)
    app[INTAKE].fetch_canonical = make_fetcher(app, api_base=fake.url)
    item = fixture_json("discourse", "latest_posts.json")["latest_posts"][0]
    fake.on("/posts/by_number/77/3.json", item)
    r = await client.post("/api/v1/reports", headers={"Authorization": f"Bearer {token}"},
                          json=body("https://forum.example/t/bus-station-incident/77/3",
                                    platform="discourse"))
    assert r.status == 201, await r.text()
    assert (await r.json())["capture_kind"] == "canonical"
    with db.read() as s:
        cap = s.exec(select(Capture)).one()
        assert cap.post_id == "forum.example/t/77/3" and cap.author_handle == "dana"
