"""/metrics: Prometheus text, cheap figures, admin session or bearer token only."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from monitor.accounts import users
from monitor.config import Settings
from monitor.ingest.backlog import score_pending, store_unscored
from monitor.reporting.metrics import bucket_counts, collect, parse_samples
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow
from review_ui.app import create_app
from review_ui.keys import METRICS_TOKEN
from tests.support.fakes import FakeScorer, make_post

Client = TestClient[Any, Any]
PASSWORD = "correct horse battery staple"
TOKEN = "s3cret-metrics-token-for-tests"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _fill(db: Database) -> None:
    with db.write() as s:
        for name, role in (("admin", "admin"), ("officer", "officer")):
            users.create_user(s, username=name, role=role, password=PASSWORD, actor="test")
        s.add(Source(name="local-group", connector="mastodon", target="#town",
                     consecutive_failures=2, last_success_at=utcnow(), needs_attention="auth"))
    texts = ["kill the immigrants, vermin", "a nice walk", "muslims are scum", "weather again"]
    store_unscored(db, [make_post(i, t) for i, t in enumerate(texts)], origin="import",
                   actor="test")
    score_pending(db, FakeScorer(), batch_size=3, worker_id="w1")  # leaves one in the backlog


async def _client(aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings,
                  db: Database) -> Client:
    app = create_app(settings, db=db, scorer=FakeScorer())
    app[METRICS_TOKEN] = TOKEN
    return await aiohttp_client(app)


async def _login(client: Client, username: str) -> None:
    r = await client.get("/login")
    m = _CSRF.search(await r.text())
    assert m
    r = await client.post("/login", data={"username": username, "password": PASSWORD,
                                          "csrf_token": m.group(1)}, allow_redirects=False)
    assert r.status == 303


def test_exposition_has_every_family(db: Database) -> None:
    _fill(db)
    body = collect(db)
    samples = parse_samples(body)
    assert samples["hate_monitor_captures_ingested_total_approx"] == 4
    assert samples["hate_monitor_scoring_backlog"] == 1
    assert samples["hate_monitor_scoring_given_up"] == 0
    assert samples["hate_monitor_scored_by_workers_total"] == 3
    assert samples['hate_monitor_queue_open{band="urgent"}'] == 1  # the threat
    assert sum(v for k, v in samples.items() if k.startswith("hate_monitor_queue_open{")) == 3
    assert samples['hate_monitor_source_consecutive_failures{source="local-group"}'] == 2
    assert samples['hate_monitor_source_needs_attention{source="local-group"}'] == 1
    assert samples['hate_monitor_scoring_batch_seconds_bucket{le="+Inf"}'] == 1
    assert samples["hate_monitor_scoring_batch_seconds_count"] == 1
    # Every sample line belongs to a declared family (what promtool checks first).
    families = {line.split()[2] for line in body.splitlines() if line.startswith("# TYPE")}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            name = re.split(r"[{ ]", line)[0]
            assert name in families or re.sub(r"_(bucket|sum|count)$", "", name) in families


def test_bucket_counts_are_cumulative() -> None:
    assert bucket_counts([0.01, 0.2, 100.0]) == [1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3]


@pytest.mark.parametrize("header,status", [
    (None, 401), ("Bearer wrong", 401), ("Basic " + TOKEN, 401), (f"Bearer {TOKEN}", 200)])
async def test_token(aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings,
                     db: Database, header: str | None, status: int) -> None:
    _fill(db)
    client = await _client(aiohttp_client, settings, db)
    r = await client.get("/metrics", headers={"Authorization": header} if header else {},
                         allow_redirects=False)
    assert r.status == status
    if status == 200:
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert "hate_monitor_queue_open" in await r.text()
    else:
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("username,status", [("admin", 200), ("officer", 401)])
async def test_sessions(aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings,
                        db: Database, username: str, status: int) -> None:
    _fill(db)
    client = await _client(aiohttp_client, settings, db)
    await _login(client, username)
    r = await client.get("/metrics", allow_redirects=False)
    assert r.status == status


async def test_no_token_configured_means_admins_only(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database
) -> None:
    app = create_app(settings, db=db, scorer=FakeScorer())
    app[METRICS_TOKEN] = ""
    client = await aiohttp_client(app)
    r = await client.get("/metrics", headers={"Authorization": "Bearer "})
    assert r.status == 401


def test_route_is_registered_public(settings: Settings, db: Database) -> None:
    app = create_app(settings, db=db, scorer=FakeScorer())
    app[METRICS_TOKEN] = TOKEN
    assert any(isinstance(r.resource, web.Resource) and r.resource.canonical == "/metrics"
               for r in app.router.routes())
