from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import func, select

from connectors.base import AuthFailed, Page, RateLimited, SourceSpec
from monitor.config import Settings
from monitor.sources.basis import Basis, SourceError, basis_problem
from monitor.sources.store import add_source, remove_source
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.sources import Source
from monitor.sweeps.sweep import SweepRefused, keep_post, sweep_source
from tests.support.fakes import FakeScorer, make_post

TODAY = date.today()
BASIS = Basis("OP-LANTERN/2026/14", "public posts in #towncentre", "Insp. Rivers",
              TODAY - timedelta(days=10), TODAY + timedelta(days=90))


class ScriptedConnector:
    """Yields pages of 3 posts each after the cursor; can fail after a given page."""

    name = "scripted"

    def __init__(self, total: int, fail_after: int | None = None,
                 error: Exception | None = None) -> None:
        self.total = total
        self.fail_after = fail_after
        self.error = error or RuntimeError("crash")

    async def pages(self, session: aiohttp.ClientSession, source: SourceSpec,
                    cursor: str | None, *, backfill_limit: int) -> AsyncIterator[Page]:
        start = int(cursor or 0)
        for served, first in enumerate(range(start, self.total, 3)):
            if self.fail_after is not None and served >= self.fail_after:
                raise self.error
            posts = tuple(make_post(i, f"post {i}") for i in range(first, min(first + 3,
                                                                                self.total)))
            yield Page(posts, str(first + len(posts)))


def add(db: Database, name: str = "town", basis: Basis | None = BASIS, **kw: object) -> None:
    with db.write() as s:
        add_source(s, name=name, connector="mastodon", target="tag:towncentre", actor="t",
                   basis=basis, **kw)  # type: ignore[arg-type]


async def sweep(db: Database, settings: Settings, conn: ScriptedConnector,
                name: str = "town") -> object:
    async with aiohttp.ClientSession() as http:
        return await sweep_source(db, FakeScorer(), http, name, settings=settings,
                                  connector=conn)  # type: ignore[arg-type]


def captures(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(Capture)).one())


async def test_sweep_stores_posts_and_advances_cursor(db: Database, settings: Settings) -> None:
    add(db)
    r = await sweep(db, settings, ScriptedConnector(10))
    assert (r.fetched, r.new, r.cursor) == (10, 10, "10")  # type: ignore[attr-defined]
    with db.read() as s:
        src = s.exec(select(Source)).one()
        cap = s.exec(select(Capture)).first()
    assert src.cursor == "10" and src.last_success_at is not None
    assert cap is not None and cap.source_id == src.id and cap.origin == "sweep"


async def test_crash_mid_sweep_resumes_without_loss_or_duplicates(
    db: Database, settings: Settings
) -> None:
    add(db)
    with pytest.raises(RuntimeError):
        await sweep(db, settings, ScriptedConnector(12, fail_after=2))
    assert captures(db) == 6
    r = await sweep(db, settings, ScriptedConnector(12))
    assert (r.new, r.duplicate) == (6, 0)  # type: ignore[attr-defined]
    assert captures(db) == 12


async def test_auth_failure_marks_source_for_attention(db: Database, settings: Settings) -> None:
    add(db)
    r = await sweep(db, settings, ScriptedConnector(9, fail_after=1,
                                                    error=AuthFailed("token revoked")))
    assert r.error == "AuthFailed: token revoked" and r.new == 3  # type: ignore[attr-defined]
    with db.read() as s:
        src = s.exec(select(Source)).one()
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "sweep")).one()
    assert src.needs_attention == "token revoked" and src.consecutive_failures == 1
    assert src.cursor == "3"
    assert ev.details["error"] == "AuthFailed: token revoked"


async def test_rate_limit_defers_the_source(db: Database, settings: Settings) -> None:
    add(db)
    await sweep(db, settings, ScriptedConnector(3, fail_after=0,
                                                error=RateLimited("slow down", 120)))
    with pytest.raises(SweepRefused, match="rate-limited until"):
        await sweep(db, settings, ScriptedConnector(3))


async def test_no_basis_or_expired_basis_refuses(db: Database, settings: Settings) -> None:
    add(db, "nobasis", basis=None)
    with pytest.raises(SweepRefused, match="no lawful basis"):
        await sweep(db, settings, ScriptedConnector(3), "nobasis")
    old = Basis("OLD/1", "scope", "Sgt. X", TODAY - timedelta(days=100), TODAY - timedelta(days=1))
    add(db, "expired", basis=old)
    with pytest.raises(SweepRefused, match="expired on"):
        await sweep(db, settings, ScriptedConnector(3), "expired")
    assert captures(db) == 0


def test_basis_must_be_complete_and_ordered() -> None:
    with pytest.raises(SourceError, match="approved by must not be empty"):
        Basis("R", "S", " ", TODAY, TODAY + timedelta(days=1))
    with pytest.raises(SourceError, match="must be after approval"):
        Basis("R", "S", "A", TODAY, TODAY)
    src = Source(name="x", connector="rss", target="u", basis_reference="R",
                 basis_approved_by="A", basis_expires_on=TODAY)
    assert basis_problem(src, TODAY) is None
    assert "expired" in (basis_problem(src, TODAY + timedelta(days=1)) or "")


def test_include_exclude_terms() -> None:
    p = make_post(1, "Trouble in Newport high street")
    assert keep_post(p, ["newport"], [])
    assert not keep_post(p, ["cardiff"], [])
    assert not keep_post(p, [], ["HIGH STREET"])


async def test_source_with_captures_cannot_be_removed(db: Database, settings: Settings) -> None:
    add(db)
    await sweep(db, settings, ScriptedConnector(3))
    with pytest.raises(SourceError, match="Disable it instead"), db.write() as s:
        remove_source(s, "town", actor="t")


def test_unknown_connector_and_duplicate_name(db: Database, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="unknown connector 'myspace'"), db.write() as s:
        add_source(s, name="a", connector="myspace", target="x", actor="t", basis=None)
    add(db, "dup")
    with pytest.raises(SourceError, match="already exists"):
        add(db, "dup")
