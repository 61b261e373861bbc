"""Two workers (separate engines, as two processes would have) never sweep one source at once.

Runs on the suite's database (SQLite by default); the ``postgres`` test repeats it on
PostgreSQL when HATE_MONITOR_TEST_DATABASE_URL is set, as the issue asks.
"""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest

from monitor.config import Settings
from monitor.storage.db import Database
from tests.support.sweeps import Scripted, add, captures, runner


async def _race(database_url: str, db: Database, settings: Settings, rounds: int = 3) -> None:
    sid = add(db)
    other = Database(database_url)  # a second engine: worker 2's own connection pool
    try:
        async with aiohttp.ClientSession() as http:
            for n in range(rounds):
                gate = asyncio.Event()
                conn = Scripted(3 * (n + 1), gate=gate)
                w1 = runner(db, settings, http, conn, worker="worker-1")
                w2 = runner(other, settings, http, conn, worker="worker-2")
                t1 = asyncio.ensure_future(w1.run(sid))
                t2 = asyncio.ensure_future(w2.run(sid))
                await asyncio.wait_for(conn.started.wait(), 5)
                await asyncio.sleep(0.05)  # both have tried to claim by now
                gate.set()
                outcomes = sorted([(await t1).status, (await t2).status])
                assert outcomes == ["busy", "swept"], outcomes
                assert conn.max_active == 1 and conn.calls == 1
        assert captures(db) == 3 * rounds  # every round's new posts, none twice
    finally:
        other.dispose()


async def test_two_workers_never_sweep_one_source_at_once(
    database_url: str, db: Database, settings: Settings
) -> None:
    await _race(database_url, db, settings)


@pytest.mark.postgres
async def test_two_workers_on_postgresql(
    database_url: str, db: Database, settings: Settings
) -> None:
    if not os.environ.get("HATE_MONITOR_TEST_DATABASE_URL"):
        pytest.skip("HATE_MONITOR_TEST_DATABASE_URL is not set (PostgreSQL pass only)")
    assert db.dialect == "postgresql"
    await _race(database_url, db, settings, rounds=5)
