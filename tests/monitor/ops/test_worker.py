"""Config-declared sources, the worker's lifecycle, sweep → urgent alert, and the CLI."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from click.testing import CliRunner
from sqlmodel import select

import monitor.cli.context
from monitor.cli.main import cli
from monitor.config import ConfigError, Settings
from monitor.ops.worker import run_scheduler, worker_main
from monitor.sources.declared import parse_declarations, seed_sources
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent, SweepRun
from monitor.storage.tables.sources import Source
from tests.support.fakes import FakeScorer
from tests.support.sweeps import Scripted

TODAY = date.today()


def decl(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "town-tag",
        "connector": "mastodon",
        "target": "tag:towncentre",
        "base_url": "https://mastodon.example",
        "schedule": "interval:15m",
        "jitter_s": 0,
        "include": ["Newport"],
        "basis": {
            "reference": "OP-LANTERN/2026/14",
            "scope": "public posts in #towncentre",
            "approved_by": "Insp. Rivers",
            "approved_on": TODAY - timedelta(days=10),
            "expires_on": (TODAY + timedelta(days=90)).isoformat(),
        },
    }
    return base | over


def with_sources(settings: Settings, *tables: dict[str, Any], **extra: Any) -> Settings:
    return Settings(settings.values, None, {"sources": list(tables), **extra})


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (decl(schedule="hourly"), r"\[\[sources\]\] #1 \('town-tag'\): key 'schedule'"),
        (decl(connector="myspace"), "key 'connector': unknown connector 'myspace'"),
        (decl(name=""), "key 'name' is required"),
        (decl(colour="red"), "unknown key 'colour'"),
        (decl(include="Newport"), "key 'include' must be a list"),
        (decl(basis={"reference": "R"}), "basis: key 'scope' is required"),
        (decl(basis=decl()["basis"] | {"expires_on": "soon"}), "'expires_on' must be a date"),
    ],
)
def test_declared_sources_are_validated_with_the_key_named(
    settings: Settings, table: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_declarations(with_sources(settings, table))


def test_one_bad_table_writes_nothing(db: Database, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="#2"):
        seed_sources(db, with_sources(settings, decl(), decl(name="b", schedule="x")))
    with db.read() as s:
        assert s.exec(select(Source)).all() == []


def test_seeding_creates_then_updates_with_audit(db: Database, settings: Settings) -> None:
    assert seed_sources(db, with_sources(settings, decl())) == [
        "created source 'town-tag' from the configuration"
    ]
    assert seed_sources(db, with_sources(settings, decl())) == []
    changed = seed_sources(db, with_sources(settings, decl(schedule="interval:2h")))
    assert changed == ["updated source 'town-tag': schedule"]
    with db.read() as s:
        src = s.exec(select(Source)).one()
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "source.update")).one()
    assert (src.schedule, src.jitter_s, src.include_terms) == ("interval:2h", 0, ["Newport"])
    assert src.basis_expires_on == TODAY + timedelta(days=90)
    assert ev.details == {"name": "town-tag", "changed": ["schedule"]}


async def test_scheduler_sweeps_a_declared_source_and_alerts_on_a_threat(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    received: list[dict[str, Any]] = []
    got = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        sig = "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
        assert request.headers["X-Hate-Monitor-Signature"] == sig
        received.append(json.loads(body))
        got.set()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    server = TestServer(app)
    await server.start_server()
    monkeypatch.setenv("HATE_MONITOR_ALERT_WEBHOOK_SECRET", "k")
    cfg = with_sources(
        settings,
        decl(include=[]),
        alerts={"webhook": {"url": str(server.make_url("/hook"))}},
    )
    conn = Scripted(2, texts=["kill the immigrants, hate them", "nice market today"])
    try:
        async with aiohttp.ClientSession() as http:
            handle = await run_scheduler(
                cfg, db, FakeScorer(), http, role="worker", connector_for=lambda _s: conn
            )
            try:
                await asyncio.wait_for(got.wait(), 5)
            finally:
                await handle.stop()
    finally:
        await server.close()
    [alert] = received
    assert alert["severity"] == "threat" and alert["link"].endswith(f"/items/{alert['item_id']}")
    with db.read() as s:
        run = s.exec(select(SweepRun)).one()
    assert (run.outcome, run.new) == ("ok", 2)


async def test_offline_source_shows_unreachable_instead_of_crashing(
    db: Database, settings: Settings
) -> None:
    # A real connector against a closed local port: what `make run` sees with no network.
    cfg = with_sources(settings, decl(base_url="http://127.0.0.1:9"))
    stop = asyncio.Event()
    task = asyncio.ensure_future(worker_main(cfg, db, FakeScorer(), stop))

    def finished() -> bool:
        with db.read() as s:
            return s.exec(select(SweepRun)).first() is not None

    try:
        for _ in range(300):
            if finished():
                break
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    with db.read() as s:
        run = s.exec(select(SweepRun)).one()
        src = s.exec(select(Source)).one()
    assert run.outcome == "error" and run.error and "SourceUnavailable" in run.error
    assert src.consecutive_failures == 1 and src.last_error


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(
        f'[database]\nurl = "{database_url}"\n\n'
        '[[sources]]\nname = "town-tag"\nconnector = "mastodon"\ntarget = "tag:towncentre"\n'
        'schedule = "interval:15m"\n'
        '[sources.basis]\nreference = "OP-1"\nscope = "#towncentre"\n'
        f'approved_by = "Insp. Rivers"\napproved_on = {TODAY - timedelta(days=1)}\n'
        f"expires_on = {TODAY + timedelta(days=10)}\n",
        encoding="utf-8",
    )
    return p


def test_cli_seed_history_and_health(config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitor.cli.context, "load_scorer", lambda obj: FakeScorer())
    run = CliRunner()

    def invoke(*args: str) -> str:
        result = run.invoke(cli, ["--config", str(config), *args])
        assert result.exit_code == 0, result.output
        return result.output

    assert "created source 'town-tag'" in invoke("sources", "seed")
    assert "no sweeps yet" in invoke("sources", "history", "town-tag")
    health = invoke("sources", "health")
    assert "lawful basis OP-1 expires in 10 day(s)" in health and "next run" in health
    missing = run.invoke(cli, ["--config", str(config), "sources", "history", "nope"])
    assert missing.exit_code == 1 and "no source named 'nope'" in missing.output


async def test_worker_stops_cleanly_on_sigterm(db: Database, settings: Settings) -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers need the main thread")
    task = asyncio.ensure_future(worker_main(with_sources(settings), db, FakeScorer()))
    await asyncio.sleep(0.3)  # scheduler started, handlers installed
    assert not task.done()
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, 10)
