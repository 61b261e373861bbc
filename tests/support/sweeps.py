"""Fakes and factories for the operations tests: a scripted connector, sources, queue items."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

import aiohttp
from sqlmodel import func, select

from connectors.base import Page, SourceSpec
from monitor.config import Settings
from monitor.sources.basis import Basis
from monitor.sources.store import add_source
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.sources import Source
from monitor.sweeps.runner import SweepRunner
from monitor.sweeps.settings import OpsSettings
from tests.support.fakes import FakeScorer, make_post

TODAY = date.today()
BASIS = Basis(
    "OP-LANTERN/2026/14",
    "public posts in #towncentre",
    "Insp. Rivers",
    TODAY - timedelta(days=10),
    TODAY + timedelta(days=90),
)


class Scripted:
    """Pages of 3 posts after the cursor; optionally fails after N pages or waits on a gate."""

    name = "scripted"

    def __init__(
        self,
        total: int,
        *,
        fail_after: int | None = None,
        error: BaseException | None = None,
        gate: asyncio.Event | None = None,
        texts: Sequence[str] | None = None,
    ) -> None:
        self.total = total
        self.fail_after = fail_after
        self.error = error or RuntimeError("worker killed")
        self.gate = gate
        self.texts = texts
        self.active = 0
        self.max_active = 0
        self.calls = 0
        self.started = asyncio.Event()

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        self.calls += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        self.started.set()
        try:
            if self.gate is not None:
                await self.gate.wait()
            start = int(cursor or 0)
            for served, first in enumerate(range(start, self.total, 3)):
                if self.fail_after is not None and served >= self.fail_after:
                    raise self.error
                end = min(first + 3, self.total)
                posts = tuple(
                    make_post(i, self.texts[i] if self.texts else f"post {i}")
                    for i in range(first, end)
                )
                yield Page(posts, str(end))
        finally:
            self.active -= 1


def add(db: Database, name: str = "town", basis: Basis | None = BASIS, **fields: object) -> int:
    with db.write() as s:
        src = add_source(
            s, name=name, connector="mastodon", target="tag:towncentre", actor="t", basis=basis
        )
        for k, v in fields.items():
            setattr(src, k, v)
        s.add(src)
        s.flush()
        return src.id or 0


def source(db: Database, source_id: int) -> Source:
    with db.read() as s:
        src = s.get(Source, source_id)
        assert src is not None
        return src


def update(db: Database, source_id: int, **fields: object) -> None:
    with db.write() as s:
        src = s.get(Source, source_id)
        assert src is not None
        for k, v in fields.items():
            setattr(src, k, v)
        s.add(src)


def captures(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(Capture)).one())


def runner(
    db: Database,
    settings: Settings,
    http: aiohttp.ClientSession,
    conn: Scripted,
    *,
    worker: str = "w1",
    clock: object | None = None,
    **ops: object,
) -> SweepRunner:
    kwargs: dict[str, object] = {}
    if clock is not None:
        kwargs["clock"] = clock
    return SweepRunner(
        db=db,
        scorer=FakeScorer(),
        http=http,
        settings=settings,
        ops=replace(OpsSettings.from_settings(settings), **ops),  # type: ignore[arg-type]
        worker=worker,
        connector_for=lambda _src: conn,
        **kwargs,  # type: ignore[arg-type]
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
