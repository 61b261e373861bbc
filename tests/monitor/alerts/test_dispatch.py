"""Urgent alerts: signed webhook with retries, e-mail over SMTP, minimal disclosure, audit."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlmodel import select

from monitor.alerts.config import AlertConfig, EmailConfig, WebhookConfig, load_alert_config
from monitor.alerts.dispatch import dispatch
from monitor.config import ConfigError, Settings
from monitor.ingest.pipeline import process_posts
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.ops import AlertDelivery, AuditEvent
from tests.support.fakes import FakeScorer, make_post
from tests.support.smtp import SmtpSink

SECRET = "test-signing-secret"
THREAT = "kill the immigrants, hate them"


async def no_sleep(_s: float) -> None:
    return None


async def queue(db: Database, *texts: str) -> list[int]:
    posts = [make_post(i, t) for i, t in enumerate(texts)]
    batch = await process_posts(
        db, FakeScorer(), posts, weights=PriorityWeights(), origin="sweep", actor="t"
    )
    return batch.queue_item_ids


class Hook:
    """A webhook receiver that verifies the signature and fails the first N requests."""

    def __init__(self, fail_first: int = 0, status: int = 500) -> None:
        self.fail_first = fail_first
        self.status = status
        self.received: list[dict[str, Any]] = []
        self.requests = 0
        self.bad_signatures = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        body = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(request.headers.get("X-Hate-Monitor-Signature", ""), expected):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=self.status)
        self.received.append(json.loads(body))
        return web.Response(status=204)


@pytest.fixture
async def serve_hook() -> AsyncIterator[Callable[[Hook], Awaitable[str]]]:
    servers: list[TestServer] = []

    async def start(hook: Hook) -> str:
        app = web.Application()
        app.router.add_post("/hook", hook.handle)
        server = TestServer(app)
        await server.start_server()
        servers.append(server)
        return str(server.make_url("/hook"))

    yield start
    for s in servers:
        await s.close()


def webhook_cfg(url: str, **kw: Any) -> AlertConfig:
    return AlertConfig(webhook=WebhookConfig(url=url, secret=SECRET, **kw), min_p_hate=0.8)


async def test_webhook_is_signed_retried_on_500_and_discloses_no_text(
    db: Database, serve_hook: Callable[[Hook], Awaitable[str]]
) -> None:
    ids = await queue(db, THREAT, "a lovely day at the market")
    hook = Hook(fail_first=2)
    cfg = webhook_cfg(await serve_hook(hook), max_attempts=4)
    async with aiohttp.ClientSession() as http:
        done = await dispatch(db, http, cfg, base_url="https://hm.example/", sleep=no_sleep)
        again = await dispatch(db, http, cfg, base_url="https://hm.example/", sleep=no_sleep)
    assert [(i, ch, d.ok, d.attempts) for i, ch, d in done] == [(ids[0], "webhook", True, 3)]
    assert again == []  # delivered once, never twice
    assert hook.bad_signatures == 0 and hook.requests == 3
    [payload] = hook.received
    assert payload["link"] == f"https://hm.example/items/{ids[0]}"
    assert payload["severity"] == "threat" and payload["strand"] == "race"
    assert "text" not in payload and "kill" not in json.dumps(payload)
    with db.read() as s:
        row = s.exec(select(AlertDelivery)).one()
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "alert.sent")).one()
    assert (row.status, row.attempts) == ("sent", 3)
    assert ev.object_id == str(ids[0]) and ev.details["channel"] == "webhook"
    assert "kill" not in json.dumps(ev.details)


async def test_webhook_gives_up_after_bounded_attempts_and_audits_the_failure(
    db: Database, serve_hook: Callable[[Hook], Awaitable[str]]
) -> None:
    await queue(db, THREAT)
    hook = Hook(fail_first=99)
    cfg = webhook_cfg(await serve_hook(hook), max_attempts=3)
    delays: list[float] = []

    async def record_sleep(s: float) -> None:
        delays.append(s)

    async with aiohttp.ClientSession() as http:
        [(_, _, d)] = await dispatch(db, http, cfg, base_url="http://x", sleep=record_sleep)
    assert (d.ok, d.attempts, d.error) == (False, 3, "HTTP 500")
    assert delays == [2.0, 4.0]  # exponential backoff between attempts
    with db.read() as s:
        assert s.exec(select(AlertDelivery)).one().status == "failed"
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "alert.failed")).one()


async def test_client_errors_are_not_retried(
    db: Database, serve_hook: Callable[[Hook], Awaitable[str]]
) -> None:
    await queue(db, THREAT)
    hook = Hook(fail_first=5, status=410)
    cfg = webhook_cfg(await serve_hook(hook))
    async with aiohttp.ClientSession() as http:
        [(_, _, d)] = await dispatch(db, http, cfg, base_url="http://x", sleep=no_sleep)
    assert (d.ok, d.attempts, d.error, hook.requests) == (False, 1, "HTTP 410", 1)


async def test_only_the_urgent_band_alerts(
    db: Database, serve_hook: Callable[[Hook], Awaitable[str]]
) -> None:
    await queue(db, "vermin, the lot of them", "disgusting filth", THREAT)
    hook = Hook()
    cfg = AlertConfig(
        webhook=WebhookConfig(url=await serve_hook(hook), secret=SECRET), min_p_hate=0.99
    )
    async with aiohttp.ClientSession() as http:
        assert await dispatch(db, http, cfg, base_url="http://x", sleep=no_sleep) == []
    assert hook.requests == 0  # the threat scores 0.95 < 0.99; the others are not threats


async def test_email_over_smtp_with_retry_on_temporary_failure(db: Database) -> None:
    ids = await queue(db, THREAT)
    sink = SmtpSink(fail_first=1)
    await sink.start()
    try:
        cfg = AlertConfig(
            email=EmailConfig(
                host="127.0.0.1",
                port=sink.port,
                starttls=False,
                sender="hm@force.example",
                recipients=("cso@force.example",),
            )
        )
        async with aiohttp.ClientSession() as http:
            [(_, ch, d)] = await dispatch(
                db, http, cfg, base_url="https://hm.example", sleep=no_sleep
            )
    finally:
        await sink.stop()
    assert (ch, d.ok, d.attempts) == ("email", True, 2)
    [msg] = sink.messages
    text = msg.decode()
    assert f"https://hm.example/items/{ids[0]}" in text and "Subject: [hate-monitor] Urgent" in text
    assert "kill" not in text


async def test_include_text_is_an_explicit_opt_in(
    db: Database, serve_hook: Callable[[Hook], Awaitable[str]]
) -> None:
    await queue(db, THREAT)
    hook = Hook()
    cfg = AlertConfig(
        webhook=WebhookConfig(url=await serve_hook(hook), secret=SECRET), include_text=True
    )
    async with aiohttp.ClientSession() as http:
        await dispatch(db, http, cfg, base_url="http://x", sleep=no_sleep)
    assert hook.received[0]["text"] == THREAT


def test_alert_config_from_toml_and_its_errors(settings: Settings) -> None:
    def with_alerts(alerts: dict[str, Any]) -> Settings:
        return Settings(settings.values, None, {"alerts": alerts})

    env = {"HATE_MONITOR_ALERT_WEBHOOK_SECRET": "s3cret"}
    cfg = load_alert_config(
        with_alerts({"min_p_hate": 0.9, "webhook": {"url": "https://hooks.example/x"}}), env
    )
    assert cfg.channels == ("webhook",) and cfg.min_p_hate == 0.9
    assert "s3cret" not in repr(cfg)
    assert load_alert_config(with_alerts({}), env).channels == ()
    with pytest.raises(ConfigError, match="HATE_MONITOR_ALERT_WEBHOOK_SECRET"):
        load_alert_config(with_alerts({"webhook": {"url": "https://h.example"}}), {})
    with pytest.raises(ConfigError, match=re.escape("unknown key alerts.webhook.secret")):
        load_alert_config(with_alerts({"webhook": {"url": "https://h", "secret": "x"}}), env)
    with pytest.raises(ConfigError, match=re.escape("alerts.min_p_hate must be between 0 and 1")):
        load_alert_config(with_alerts({"min_p_hate": 2}), env)
    with pytest.raises(ConfigError, match=re.escape("alerts.email.to must be a non-empty list")):
        load_alert_config(with_alerts({"email": {"smtp_host": "mail", "to": []}}), env)
