"""A sweep hands each stored page's queue items to the alert hook while it goes on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from monitor.config import Settings
from monitor.storage.db import Database
from tests.support.sweeps import Scripted, add, runner


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_each_page_reaches_the_hook_before_the_sweep_ends(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)
    conn = Scripted(9)  # three pages of three
    seen: list[tuple[int, bool]] = []

    async def on_page(item_ids: list[int]) -> None:
        seen.append((len(item_ids), conn.active == 1))

    r = runner(db, settings, http, conn)
    r.on_page = on_page
    out = await r.run(sid)
    assert out.status == "swept" and out.result is not None
    assert [n for n, _ in seen] == [3, 3, 3]
    assert seen[0][1], "the first page's items waited for the end of the sweep"


async def test_a_failing_page_hook_does_not_fail_the_sweep(
    db: Database, settings: Settings, http: aiohttp.ClientSession
) -> None:
    sid = add(db)

    async def broken(item_ids: list[int]) -> None:
        raise RuntimeError("webhook exploded")

    r = runner(db, settings, http, Scripted(6))
    r.on_page = broken
    out = await r.run(sid)
    assert out.status == "swept" and out.result is not None and out.result.new == 6
