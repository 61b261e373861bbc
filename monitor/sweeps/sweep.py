"""One sweep of one source: fetch pages, run them through the pipeline, advance the cursor.

The cursor is stored only after the page's posts are stored, and after the items it could not
read are kept on the source's "could not read" list, so a crash mid-sweep resumes from the last
stored page without loss (and without duplicates: ingest is idempotent), and no item is left
behind the high-water mark unrecorded. What a sweep could not read (items kept, responses that
did not parse whole, dates unknown) is counted in its report and marks the source as needing
attention until someone acknowledges it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiohttp

from connectors.base import (
    AuthFailed,
    Connector,
    ConnectorError,
    MalformedResponse,
    PermanentError,
    RateLimited,
    SourceSpec,
)
from connectors.post import Post
from connectors.registry import get_connector
from models.types import Scorer
from monitor.audit import chain as audit
from monitor.classifier.versions import shadow_scorers
from monitor.config import Settings
from monitor.ingest.backlog import store_unscored
from monitor.ingest.pipeline import process_posts
from monitor.review.priority import PriorityWeights
from monitor.sources.basis import basis_problem
from monitor.sources.store import get_source, spec_for
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow
from monitor.sweeps import unreadable as could_not_read
from monitor.sweeps.history import record_run

log = logging.getLogger(__name__)

PageHook = Callable[[list[int]], None]


class SweepRefused(Exception):
    """The source may not be swept now (disabled, no lawful basis, expired basis, deferred)."""


@dataclass(slots=True)
class SweepResult:
    source: str
    fetched: int = 0
    new: int = 0
    versions: int = 0
    duplicate: int = 0
    skipped: int = 0  # items that could not be read, kept on the "could not read" list
    filtered: int = 0
    unreadable: int = 0  # responses that could not be read whole
    undated: int = 0  # posts stored with their date unknown
    retried: int = 0  # kept items read again (--retry-skipped)
    recovered: int = 0  # ...of which today's parser could read
    notes: list[str] = field(default_factory=list)  # what could not be read, in words
    cursor: str | None = None
    error: str | None = None
    # Queue items this sweep created or updated (the urgent-alert check looks at them).
    queue_item_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "fetched": self.fetched,
            "new": self.new,
            "versions": self.versions,
            "duplicate": self.duplicate,
            "skipped": self.skipped,
            "filtered": self.filtered,
            "unreadable": self.unreadable,
            "undated": self.undated,
        }

    @property
    def stored(self) -> int:
        return self.new + self.versions

    def loss(self) -> could_not_read.Loss:
        return could_not_read.Loss(self.skipped, self.unreadable, self.undated, tuple(self.notes))

    def report(self) -> str:
        """The one-line account of the sweep: what was read and what was not."""
        line = (f"read {self.fetched}, stored {self.stored} (new {self.new}, versions "
                f"{self.versions}), duplicate {self.duplicate}, skipped {self.skipped}, "
                f"unreadable {self.unreadable}, filtered {self.filtered}, date unknown "
                f"{self.undated}")
        if self.retried:
            line += f"; kept items re-read {self.retried}, now read {self.recovered}"
        return line


def keep_post(post: Post, include: list[str], exclude: list[str]) -> bool:
    """Include/exclude terms (e.g. local place names), matched case-insensitively."""
    text = post.text.casefold()
    if include and not any(t.casefold() in text for t in include):
        return False
    return not any(t.casefold() in text for t in exclude)


def _load(db: Database, ref: str) -> Source:
    with db.read() as session:
        return get_source(session, ref)


def _save_cursor(db: Database, source_id: int, cursor: str | None) -> None:
    with db.write() as session:
        src = session.get(Source, source_id)
        if src is not None:
            src.cursor = cursor
            src.updated_at = utcnow()
            session.add(src)


def _finish(
    db: Database,
    source_id: int,
    result: SweepResult,
    err: ConnectorError | None,
    run: _RunInfo,
) -> None:
    now = utcnow()
    with db.write() as session:
        src = session.get(Source, source_id)
        if src is None:
            return
        if err is None:
            if src.consecutive_failures:
                log.info(
                    "source %s recovered after %d failure(s)", src.name, src.consecutive_failures
                )
            src.last_success_at = now
            src.consecutive_failures = 0
            src.needs_attention = None
            src.deferred_until = None
        else:
            if not src.consecutive_failures:
                log.warning("source %s is failing: %s", src.name, err)
            src.last_error_at = now
            src.last_error = str(err)[:500]
            src.consecutive_failures += 1
            if isinstance(err, AuthFailed | PermanentError):
                src.needs_attention = str(err)[:500]
            if isinstance(err, RateLimited):
                src.deferred_until = now + timedelta(seconds=err.retry_after)
        loss = result.loss()
        if loss:
            # Until someone acknowledges it on the source page, whatever the later sweeps do.
            could_not_read.note_loss(src, loss, f"{now:%Y-%m-%d %H:%M} UTC")
        src.updated_at = now
        session.add(src)
        record_run(
            session,
            source=src,
            outcome="ok" if err is None else "error",
            started_at=run.started_at,
            finished_at=now,
            counts=result.counts(),
            error=result.error,
            trigger=run.trigger,
            worker=run.worker,
        )
        audit.record(
            session,
            actor="system:sweep",
            action="sweep",
            object_type="source",
            object_id=source_id,
            reason=src.basis_reference,
            details={
                **result.counts(),
                "retried": result.retried,
                "recovered": result.recovered,
                "notes": result.notes[:20],
                "error": result.error,
            },
        )


@dataclass(frozen=True, slots=True)
class _RunInfo:
    started_at: datetime
    trigger: str
    worker: str | None


def _crashed(db: Database, source_id: int, result: SweepResult, run: _RunInfo, err: str) -> None:
    """A non-connector error (a bug, a database failure): keep a history row saying so."""
    with db.write() as session:
        src = session.get(Source, source_id)
        if src is not None:
            record_run(
                session,
                source=src,
                outcome="crashed",
                started_at=run.started_at,
                counts=result.counts(),
                error=err,
                trigger=run.trigger,
                worker=run.worker,
            )


async def sweep_source(
    db: Database,
    scorer: Scorer,
    http: aiohttp.ClientSession,
    ref: str,
    *,
    settings: Settings,
    connector: Connector | None = None,
    force: bool = False,
    trigger: str = "manual",
    worker: str | None = None,
    retry_skipped: bool = False,
    on_page: PageHook | None = None,
) -> SweepResult:
    """Sweep one source; ``retry_skipped`` first reads its "could not read" list again.

    ``on_page``: called with the queue items each page touched as soon as that page is stored
    (the urgent-alert check), so a threat on the first page of a long back-fill is not held
    until the last one. It must not block: the sweep waits for it."""
    run = _RunInfo(utcnow(), trigger, worker)
    source = await db.run(_load, db, ref)
    today = utcnow().date()
    if not source.enabled:
        raise SweepRefused(f"source {source.name!r} is disabled")
    problem = basis_problem(source, today)
    if problem:
        raise SweepRefused(f"source {source.name!r} will not run: {problem}")
    if not force and source.deferred_until and source.deferred_until > utcnow():
        raise SweepRefused(
            f"source {source.name!r} is rate-limited until {source.deferred_until:%H:%M:%S} UTC"
        )
    assert source.id is not None
    conn = connector or get_connector(source.connector)
    spec = spec_for(source, settings)
    weights = PriorityWeights.from_settings(settings)
    result = SweepResult(source=source.name, cursor=source.cursor)
    shadows: list[Scorer] | None = None  # loaded once, on the first page that has posts
    error: ConnectorError | None = None
    source_id = source.id

    async def ingest(posts: tuple[Post, ...] | list[Post]) -> None:
        nonlocal shadows
        kept = [p for p in posts if keep_post(p, source.include_terms, source.exclude_terms)]
        result.filtered += len(posts) - len(kept)
        result.undated += sum(1 for p in kept if not p.created_at_known)
        if kept and settings["scoring.deferred"]:
            # Scaled path: store now, let the workers' scoring loops claim and score.
            await db.run(
                store_unscored,
                db,
                kept,
                origin="sweep",
                actor=f"system:sweep:{source.name}",
                source_id=source_id,
                retention_days=settings["retention.dismissed_days"],
            )
        elif kept:
            if shadows is None:
                shadows = await db.run(shadow_scorers, db, settings)
            batch = await process_posts(
                db,
                scorer,
                kept,
                shadows=shadows,
                weights=weights,
                origin="sweep",
                actor=f"system:sweep:{source.name}",
                source_id=source_id,
                retention_days=settings["retention.dismissed_days"],
            )
            result.new += batch.new
            result.versions += batch.versions
            result.duplicate += batch.duplicate
            result.queue_item_ids += batch.queue_item_ids
            if on_page is not None and batch.queue_item_ids:
                on_page(batch.queue_item_ids)

    try:
        if retry_skipped:
            await _retry_kept(db, conn, spec, source_id, result, ingest)
        async for page in conn.pages(
            http, spec, source.cursor, backfill_limit=source.backfill_limit
        ):
            result.fetched += len(page.posts) + page.skipped
            result.skipped += page.skipped
            result.unreadable += len(page.incomplete)
            result.notes += page.incomplete
            await ingest(page.posts)
            # Kept before the cursor moves past them: never behind the mark unrecorded.
            await db.run(could_not_read.keep, db, source_id, source.connector, page.unreadable)
            if page.cursor != result.cursor:
                await db.run(_save_cursor, db, source_id, page.cursor)
                result.cursor = page.cursor
    except ConnectorError as err:
        error = err
        result.error = f"{type(err).__name__}: {err}"
    except BaseException as err:
        # Record, then let it propagate: the cursor already stored keeps the resume point.
        # Shielded so a cancelled worker (shutdown) still leaves its history row.
        note = f"{type(err).__name__}: {err}"[:500]
        await asyncio.shield(db.run(_crashed, db, source_id, result, run, note))
        raise
    await db.run(_finish, db, source_id, result, error, run)
    return result


async def _retry_kept(
    db: Database,
    conn: Connector,
    spec: SourceSpec,
    source_id: int,
    result: SweepResult,
    ingest: Callable[[tuple[Post, ...]], Awaitable[None]],
) -> None:
    """Read the kept items again with today's parser; those it reads are stored like any post
    and leave the list (the row records what they became); the rest stay, with the new reason."""
    rows = await db.run(could_not_read.open_list, db, source_id)
    for row in rows:
        assert row.id is not None
        result.retried += 1
        try:
            posts = conn.reparse(could_not_read.as_unreadable(row), spec)
        except (MalformedResponse, ValueError, TypeError) as err:
            await db.run(could_not_read.still_unreadable, db, row.id, str(err))
            continue
        await ingest(posts)
        await db.run(could_not_read.resolve, db, row.id, [p.post_id for p in posts])
        result.recovered += 1
