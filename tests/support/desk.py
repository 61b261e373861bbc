"""Fixtures for the review desk: an app on the per-test database, users, a filled queue."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from monitor.accounts import users
from monitor.config import Settings
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from tests.support.fakes import FakeScorer, make_post
from tests.support.web import PASSWORD, Client, build_app

ROLES = ("admin", "officer", "moderator")

HOSTILE = [
    "kill all the immigrants, vermin",
    "muslims are scum, get out",
    "gay people are disgusting filth",
    "the disabled are parasites and should hang",
    "trans people are vermin",
]



def make_users(db: Database) -> None:
    with db.write() as s:
        for name in ("admin", "officer", "officer2", "moderator"):
            role = "officer" if name == "officer2" else name
            users.create_user(s, username=name, role=role, password=PASSWORD, actor="test")


def fill_queue(db: Database, scorer: FakeScorer, texts: list[str], *, start: int = 1,
               author: str = "someone@example.social", **kw: Any) -> list[int]:
    posts = [make_post(start + i, t, author=author, **kw) for i, t in enumerate(texts)]
    r = process_posts_sync(db, scorer, posts, weights=PriorityWeights(), origin="import",
                           actor="test")
    return r.queue_item_ids




@pytest.fixture
def populated(db: Database, fake_scorer: FakeScorer) -> list[int]:
    make_users(db)
    return fill_queue(db, fake_scorer, [*HOSTILE, "a lovely day at the park"])


@pytest.fixture
async def client(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, populated: list[int],
) -> Client:
    return await aiohttp_client(build_app(settings, db, fake_scorer))


@pytest.fixture
async def make_client(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, populated: list[int],
) -> Callable[[], Awaitable[Client]]:
    app = build_app(settings, db, fake_scorer)
    from aiohttp.test_utils import TestServer

    server = TestServer(app)
    await server.start_server()

    async def new() -> Client:
        return await aiohttp_client(server)

    return new
