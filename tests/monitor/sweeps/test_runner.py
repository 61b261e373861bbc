"""The guarded sweep: lawful basis, deferral, backoff, leases, history, crash and resume."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from connectors.base import RateLimited, SourceUnavailable
from monitor.config import Settings
from monitor.sources.basis import Basis
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent, SourceLease, SweepRun
from monitor.storage.types import utcnow
from monitor.sweeps.history import source_health
from monitor.sweeps.leases import holder_of, try_acquire
from tests.support.sweeps import TODAY, Scripted, add, captures, runner, source, update


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def runs(db: Database) -> list[SweepRun]:
    with db.read() as s:
        return list(s.exec(select(SweepRun).order_by(SweepRun.id)).all())  # type: ignore[arg-type]


async def test_sweep_records_history(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    out = await runner(db, settings, http, Scripted(7)).run(sid)
    assert out.status == "swept" and out.result is not None and out.result.new == 7
    [run] = runs(db)
    assert (run.outcome, run.trigger, run.fetched, run.new, run.duplicate, run.worker) == (
        "ok",
        "schedule",
        7,
        7,
        0,
        "w1",
    )
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert holder_of(db, sid) is None  # lease released


async def test_expired_basis_refuses_and_records_the_reason_once(
    db: Database, settings: Settings, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    old = Basis("OLD/1", "scope", "Sgt. X", TODAY - timedelta(days=100), TODAY - timedelta(days=1))
    sid = add(db, "expired", basis=old)
    conn = Scripted(3)
    r = runner(db, settings, http, conn)
    with caplog.at_level(logging.WARNING):
        first = await r.run(sid)
        second = await r.run(sid)
    assert first.status == second.status == "refused"
    assert "expired on" in (first.reason or "")
    assert conn.calls == 0 and captures(db) == 0
    [run] = runs(db)  # recorded once, not once per fire
    assert run.outcome == "refused" and "expired on" in (run.error or "")
    assert sum("will not run" in m for m in caplog.messages) == 1
    with db.read() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "sweep.refused")).one()
    assert ev.reason and "expired" in ev.reason


async def test_missing_basis_refuses(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, "nobasis", basis=None)
    out = await runner(db, settings, http, Scripted(3)).run(sid)
    assert out.status == "refused" and "no lawful basis" in (out.reason or "")


async def test_basis_expiring_soon_warns_once_a_day(
    db: Database, settings: Settings, http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    soon = Basis("SOON/1", "scope", "Sgt. X", TODAY - timedelta(days=50), TODAY + timedelta(days=5))
    sid = add(db, "soon", basis=soon)
    r = runner(db, settings, http, Scripted(0))
    with caplog.at_level(logging.WARNING):
        await r.run(sid)
        await r.run(sid)
    assert sum("expires in 5 day(s)" in m for m in caplog.messages) == 1
    [row] = source_health(db)
    assert row["basis_warning"] == "lawful basis SOON/1 expires in 5 day(s)"


async def test_rate_limited_source_is_deferred_by_retry_after(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    limited = Scripted(6, fail_after=1, error=RateLimited("429 from instance", 600))
    first = await runner(db, settings, http, limited).run(sid)
    assert first.status == "swept" and first.result and first.result.error
    conn = Scripted(6)
    held = await runner(db, settings, http, conn).run(sid)
    assert held.status == "held" and "rate-limited until" in (held.reason or "")
    assert conn.calls == 0
    deferred = source(db, sid).deferred_until
    assert deferred is not None and deferred > utcnow() + timedelta(minutes=9)
    update(db, sid, deferred_until=utcnow() - timedelta(seconds=1))  # the ten minutes pass
    later = await runner(db, settings, http, conn).run(sid)
    assert later.status == "swept" and later.result and later.result.new == 3


async def test_repeated_failures_back_off_and_show_unhealthy(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, schedule="interval:15m")
    for _ in range(3):
        update(db, sid, last_error_at=None)  # each failure counts as if a period had passed
        out = await runner(
            db, settings, http, Scripted(3, fail_after=0, error=SourceUnavailable("503"))
        ).run(sid)
        assert out.status == "swept"
    assert source(db, sid).consecutive_failures == 3
    held = await runner(db, settings, http, Scripted(3)).run(sid)
    assert held.status == "held" and "backing off after 3 failures" in (held.reason or "")
    [row] = source_health(db)
    assert row["status"].startswith("unhealthy: 3 failures in a row") and not row["healthy"]
    manual = await runner(db, settings, http, Scripted(3)).run(sid, trigger="manual")
    assert manual.status == "swept"  # a person's "run now" is not held by backoff
    [row] = source_health(db)
    assert row["status"] == "ok" and row["healthy"]


async def test_crash_mid_sweep_then_restart_resumes_without_loss_or_duplicates(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    crashed = await runner(db, settings, http, Scripted(12, fail_after=2)).run(sid)
    assert crashed.status == "crashed" and "worker killed" in (crashed.reason or "")
    assert captures(db) == 6 and source(db, sid).cursor == "6"
    assert holder_of(db, sid) is None
    # A "restarted" worker with a fresh runner picks up from the stored cursor.
    again = await runner(db, settings, http, Scripted(12), worker="w2").run(sid)
    assert again.result is not None and (again.result.new, again.result.duplicate) == (6, 0)
    assert captures(db) == 12
    assert [r.outcome for r in runs(db)] == ["crashed", "ok"]


async def test_killed_workers_lease_expires(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    # A worker took the lease and was killed with -9: it never released it.
    assert try_acquire(db, sid, "dead-worker", timedelta(minutes=5))
    busy = await runner(db, settings, http, Scripted(3)).run(sid)
    assert busy.status == "busy"
    with db.write() as s:  # five minutes later, nobody has renewed it
        lease = s.get(SourceLease, sid)
        assert lease is not None and lease.holder == "dead-worker"
        lease.expires_at = utcnow() - timedelta(seconds=1)
        s.add(lease)
    ok = await runner(db, settings, http, Scripted(3)).run(sid)
    assert ok.status == "swept" and captures(db) == 3


async def test_disabled_and_removed_sources_do_not_run(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, enabled=False)
    r = runner(db, settings, http, Scripted(3))
    assert (await r.run(sid)).status == "disabled"
    assert (await r.run(9999)).status == "missing"


async def test_a_sweep_that_loses_its_lease_stops(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    gate = asyncio.Event()  # never opens: the sweep stalls, as a hung connection would
    conn = Scripted(3, gate=gate)
    task = asyncio.ensure_future(runner(db, settings, http, conn, lease_ttl_s=3).run(sid))
    await asyncio.wait_for(conn.started.wait(), 5)
    with db.write() as s:  # our lease expired and another worker claimed the source
        lease = s.get(SourceLease, sid)
        assert lease is not None
        lease.holder = "worker-2"
        s.add(lease)
    out = await asyncio.wait_for(task, 5)  # the heartbeat (every ttl/3 = 1 s) notices
    assert out.status == "crashed" and "lost the source's lease" in (out.reason or "")
    assert holder_of(db, sid) == "worker-2"  # and we did not release their lease
