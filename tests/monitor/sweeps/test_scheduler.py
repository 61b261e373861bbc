"""The APScheduler wiring, driven by an injected clock and events (no real intervals)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta

import aiohttp
import pytest
from sqlmodel import select

from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.ops import SweepRun
from monitor.storage.types import utcnow
from monitor.sweeps.history import record_run, source_health
from monitor.sweeps.scheduler import SweepScheduler
from monitor.sweeps.settings import OpsSettings
from tests.support.sweeps import Scripted, add, captures, runner, source, update


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def wait_for(cond: object, timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not cond():  # type: ignore[operator]
            await asyncio.sleep(0.02)

    await asyncio.wait_for(poll(), timeout)


def sched(
    db: Database, settings: Settings, http: aiohttp.ClientSession, conn: Scripted
) -> SweepScheduler:
    return SweepScheduler(
        db=db, runner=runner(db, settings, http, conn),
        ops=replace(OpsSettings.from_settings(settings), resync_s=3600),
    )


async def test_overdue_source_runs_once_at_start_then_follows_its_schedule(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, schedule="interval:15m", jitter_s=0)
    conn = Scripted(5)
    s = sched(db, settings, http, conn)
    await s.start()
    try:
        await wait_for(lambda: captures(db) == 5)
        await wait_for(lambda: not s._running)
        job = s.scheduler.get_job(f"sweep:{sid}")
        assert job is not None and job.args == [sid, "schedule"]
        nxt = job.next_run_time
        # The next fire is one interval after the catch-up run, not now.
        assert timedelta(minutes=14) < nxt - utcnow() <= timedelta(minutes=15)
        assert conn.calls == 1
    finally:
        await s.stop()
    with db.read() as session:
        [run] = session.exec(select(SweepRun)).all()
    assert run.trigger == "catch-up" and run.outcome == "ok"


async def test_restart_keeps_the_schedule_from_the_database(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, schedule="interval:2h", jitter_s=0)
    last = utcnow() - timedelta(minutes=30)
    with db.write() as session:
        record_run(session, source=source(db, sid), outcome="ok", started_at=last)
    conn = Scripted(3)
    s = sched(db, settings, http, conn)
    await s.start()
    try:
        job = s.scheduler.get_job(f"sweep:{sid}")
        assert job is not None
        assert abs((job.next_run_time - (last + timedelta(hours=2))).total_seconds()) < 1
        await asyncio.sleep(0.1)
        assert conn.calls == 0  # not overdue: no catch-up run
        [row] = source_health(db)
        assert abs((row["next_run"] - (last + timedelta(hours=2))).total_seconds()) < 1
    finally:
        await s.stop()


async def test_resync_follows_enable_disable_and_schedule_changes(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, schedule="interval:2h", jitter_s=0)
    with db.write() as session:
        record_run(session, source=source(db, sid), outcome="ok", started_at=utcnow())
    s = sched(db, settings, http, Scripted(0))
    await s.start()
    try:
        assert s.scheduler.get_job(f"sweep:{sid}") is not None
        update(db, sid, schedule="cron:0 3 * * *")
        await s.resync()
        job = s.scheduler.get_job(f"sweep:{sid}")
        assert job.next_run_time.hour == 3 and job.next_run_time.minute == 0
        update(db, sid, enabled=False)
        await s.resync()
        assert s.scheduler.get_job(f"sweep:{sid}") is None
        update(db, sid, enabled=True, schedule="every now and then")
        await s.resync()
        assert s.scheduler.get_job(f"sweep:{sid}") is None
        with db.read() as session:
            refused = session.exec(select(SweepRun).where(SweepRun.outcome == "refused")).one()
        assert "not understood" in (refused.error or "")
    finally:
        await s.stop()


async def test_run_now_and_max_one_instance_per_source(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, schedule="interval:2h", jitter_s=0)
    with db.write() as session:
        record_run(session, source=source(db, sid), outcome="ok", started_at=utcnow())
    gate = asyncio.Event()
    conn = Scripted(3, gate=gate)
    s = sched(db, settings, http, conn)
    await s.start()
    try:
        s.run_now(sid)
        await asyncio.wait_for(conn.started.wait(), 5)
        s.run_now(sid)  # asked again while the first still runs
        await asyncio.sleep(0.1)
        gate.set()
        await wait_for(lambda: captures(db) == 3)
        await wait_for(lambda: not s._running)
        assert conn.max_active == 1
    finally:
        await s.stop()


async def test_stop_cancels_a_running_sweep_cleanly(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db, jitter_s=0)
    conn = Scripted(3, gate=asyncio.Event())  # never opens
    s = sched(db, settings, http, conn)
    await s.start()
    await asyncio.wait_for(conn.started.wait(), 5)
    await s.stop(grace_s=0.05)
    assert not s.scheduler.running
    from monitor.sweeps.leases import holder_of

    assert holder_of(db, sid) is None
    with db.read() as session:
        [run] = session.exec(select(SweepRun)).all()
    assert run.outcome == "crashed" and "CancelledError" in (run.error or "")


async def test_same_process_cannot_overlap_a_source_through_two_jobs(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    gate = asyncio.Event()
    conn = Scripted(3, gate=gate)
    r = runner(db, settings, http, conn)
    first = asyncio.ensure_future(r.run(sid, trigger="schedule"))
    await asyncio.wait_for(conn.started.wait(), 5)
    second = await r.run(sid, trigger="manual")
    assert second.status == "busy"
    gate.set()
    assert (await first).status == "swept"
