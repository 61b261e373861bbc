"""Scoring claimed in the database: store captures first, score them later, in any number of
worker processes on one database.

Claiming follows the lease pattern of ``monitor.sweeps.leases``, per capture: a batch of backlog
rows is leased in one short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
workers take disjoint rows without waiting; on SQLite ``BEGIN IMMEDIATE`` serialises the claim),
inference runs with no transaction open, and the scores are written in a second transaction that
first deletes the backlog rows *this worker still holds*. A row can be deleted once, so each
capture is scored exactly once (``uq_score_model`` is the backstop). A worker killed with -9
holds no transaction; its lease runs out after ``lease_seconds`` and another worker re-claims
the rows. Holding a row lock across inference instead would stall every other worker's claims
behind a slow model and tie a database connection to each batch.

Claims take the live lane first: posts a sweep fetched that were written in the last day, then
the bulk lane (older posts from a back-fill, re-scoring after a model change), each in capture
order. A threat fetched now therefore never waits behind a back-fill of a busy group's history,
and the worker hands each scored batch's queue items to the alert dispatcher at once
(``scoring_loop``'s ``on_scored``), as a sweep scoring inline does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, func, insert, literal, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import defer
from sqlmodel import Session, col

from connectors.post import Post
from models.types import Prediction, Scorer
from monitor.ingest.pipeline import (
    BatchResult,
    attach_scores,
    known_keys,
    post_key,
    record_collection,
)
from monitor.ingest.writes import insert_captures, insert_scores
from monitor.reporting import metrics
from monitor.reporting.metrics import bucket_counts
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Score, ScoringBacklog
from monitor.storage.tables.ops import WorkerStats
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import utcnow

log = logging.getLogger(__name__)

LEASE_SECONDS = 60.0
# A capture the model fails on this often is left for a person to look at (see /metrics).
MAX_ATTEMPTS = metrics.MAX_ATTEMPTS
_WRITE_RETRIES = 3
LIVE, BULK = 0, 1  # backlog lanes, claimed in this order
# A post written longer ago than this when it was stored is history: the bulk lane.
RECENT = timedelta(hours=24)


def lane_for(capture: Capture, now: datetime) -> int:
    """Live unless the platform dated the post more than ``RECENT`` before ``now``; a post
    whose date could not be read counts as live (better scored early than late)."""
    if capture.created_at_known and capture.created_at < now - RECENT:
        return BULK
    return LIVE


# --- storing without scoring ---------------------------------------------------------------


def _store_unscored_tx(
    session: Session,
    posts: Sequence[Post],
    *,
    origin: str,
    actor: str,
    source_id: int | None,
    retention_days: int,
    now: datetime,
) -> BatchResult:
    """Captures + backlog rows + the 'collect' audit event, in the caller's transaction."""
    review = (now + timedelta(days=retention_days)).date()
    result = BatchResult()
    fresh: list[Post] = []
    seen = known_keys(session, posts)
    for post in posts:
        key = post_key(post)
        if key in seen:
            result.duplicate += 1
            continue
        seen.add(key)
        fresh.append(post)
    captures = insert_captures(session, fresh, now=now, origin=origin, source_id=source_id,
                               review_date=review)
    if captures:
        session.execute(insert(ScoringBacklog),
                        [{"capture_id": c.id or 0, "enqueued_at": now, "holder": None,
                          "leased_until": None, "attempts": 0, "lane": lane_for(c, now)}
                         for c in captures])
    for capture in captures:
        result.count(capture)
    record_collection(
        session, result, actor=actor, origin=origin, source_id=source_id, offered=len(posts),
        scoring="deferred",
    )
    return result


def store_unscored(
    db: Database,
    posts: Sequence[Post],
    *,
    origin: str,
    actor: str,
    source_id: int | None = None,
    retention_days: int = 30,
    now: datetime | None = None,
) -> BatchResult:
    """Store a batch of captures for later scoring; safe to repeat with the same posts (the
    same idempotency as ``pipeline.store_batch``). Blocking: call it through ``db.run``."""
    for attempt in range(_WRITE_RETRIES):
        try:
            with db.write() as session:
                return _store_unscored_tx(
                    session, posts, origin=origin, actor=actor, source_id=source_id,
                    retention_days=retention_days, now=now or utcnow(),
                )
        except IntegrityError:
            # Another process stored some of these posts first; the retry sees them as known.
            if attempt == _WRITE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def enqueue_unscored(db: Database, model_version: str) -> int:
    """Put every capture with no score from ``model_version`` in the backlog (after a model
    change, or for captures stored before the backlog existed). One pass over captures: an
    operator's command, never a per-request query. Re-scoring waits in the bulk lane."""
    # NOT EXISTS, not NOT IN: both engines plan it as an anti-join over the indexes.
    scored = exists().where(col(Score.capture_id) == col(Capture.id),
                            col(Score.model_version) == model_version)
    waiting = exists().where(col(ScoringBacklog.capture_id) == col(Capture.id))
    pick = select(col(Capture.id), col(Capture.captured_at), literal(BULK)).where(~scored,
                                                                                   ~waiting)
    with db.write() as session:
        added = session.scalars(
            insert(ScoringBacklog).from_select(["capture_id", "enqueued_at", "lane"], pick)
            .returning(col(ScoringBacklog.capture_id))
        ).all()
        return len(added)


# --- scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    worker_id: str
    captures: list[Capture]
    missing: list[int]  # backlog rows whose capture was purged meanwhile


def claim_batch(
    db: Database, *, worker_id: str, batch_size: int, lease_seconds: float, now: datetime
) -> Claim:
    """Lease up to ``batch_size`` free or expired backlog rows for this worker."""
    free = (
        select(col(ScoringBacklog.capture_id))
        .where(
            or_(col(ScoringBacklog.leased_until).is_(None), col(ScoringBacklog.leased_until) < now),
            col(ScoringBacklog.attempts) < MAX_ATTEMPTS,
        )
        .order_by(col(ScoringBacklog.lane), col(ScoringBacklog.capture_id))
        .limit(batch_size)
        # SKIP LOCKED: rows another worker is leasing right now are passed over, not waited
        # for. SQLite ignores the clause; its BEGIN IMMEDIATE already serialises claims.
        .with_for_update(skip_locked=True)
    )
    with db.write() as session:
        ids = list(session.scalars(free).all())
        if not ids:
            return Claim(worker_id, [], [])
        session.execute(
            update(ScoringBacklog)
            .where(col(ScoringBacklog.capture_id).in_(ids))
            .values(holder=worker_id, leased_until=now + timedelta(seconds=lease_seconds),
                    attempts=col(ScoringBacklog.attempts) + 1)
        )
    with db.read() as session:
        captures = list(
            session.scalars(
                select(Capture).options(defer(Capture.raw))  # type: ignore[arg-type]
                .where(col(Capture.id).in_(ids)).order_by(col(Capture.id))
            ).all()
        )
    found = {c.id for c in captures}
    return Claim(worker_id, captures, [i for i in ids if i not in found])


def _write_scores(
    session: Session,
    claim: Claim,
    preds: dict[int, Prediction],
    *,
    model_version: str,
    weights: PriorityWeights,
    now: datetime,
    retention_days: int,
) -> tuple[int, list[int]]:
    """Scores written, and the queue items the ranked ones now point at."""
    ids = [c.id or 0 for c in claim.captures] + claim.missing
    held = set(
        session.scalars(
            delete(ScoringBacklog)
            .where(col(ScoringBacklog.capture_id).in_(ids),
                   col(ScoringBacklog.holder) == claim.worker_id)
            .returning(col(ScoringBacklog.capture_id))
        ).all()
    )
    already = set(
        session.scalars(
            select(col(Score.capture_id)).where(
                col(Score.capture_id).in_(held), col(Score.model_version) == model_version)
        ).all()
    )
    default_review = (now + timedelta(days=retention_days)).date()
    # Which capture each post's queue item points at now: one query for the batch.
    current = {
        (p, i): c for p, i, c in session.execute(
            select(col(QueueItem.platform), col(QueueItem.post_id), col(QueueItem.capture_id))
            .where(col(QueueItem.platform).in_({c.platform for c in claim.captures}),
                   col(QueueItem.post_id).in_({c.post_id for c in claim.captures}))
        ).all()
    }
    ranked: list[tuple[Capture, Prediction]] = []
    kept_only: list[tuple[Capture, Prediction]] = []
    for capture in claim.captures:
        cid = capture.id or 0
        if cid not in held or cid in already or cid not in preds:
            continue  # lease lost to another worker, or scored by the inline path
        if current.get((capture.platform, capture.post_id), 0) > cid:
            # A later version of this post already ranks the queue; keep the score as evidence
            # of what the model said, but never point the item back at the older text.
            kept_only.append((capture, preds[cid]))
        else:
            ranked.append((capture, preds[cid]))
    insert_scores(session, kept_only, model_version=model_version, now=now)
    items = attach_scores(session, ranked, model_version=model_version, weights=weights, now=now,
                          review_date=default_review)
    return len(ranked) + len(kept_only), items


def _record_stats(
    db: Database, worker_id: str, *, scored: int, seconds: float, failed: bool
) -> None:
    with db.write() as session:
        row = session.get(WorkerStats, worker_id)
        if row is None:
            row = WorkerStats(worker_id=worker_id, latency_buckets=bucket_counts([]))
        row.updated_at = utcnow()
        if failed:
            row.failures_total += 1
        else:
            row.scored_total += scored
            row.batches_total += 1
            row.latency_sum += seconds
            row.latency_buckets = [
                a + b for a, b in zip(row.latency_buckets, bucket_counts([seconds]), strict=True)
            ]
        session.add(row)


@dataclass(slots=True)
class Scored:
    """One claimed batch: captures scored, and the queue items they rank (for alerts)."""

    written: int = 0
    item_ids: list[int] = field(default_factory=list)


def score_pending(
    db: Database,
    scorer: Scorer,
    *,
    batch_size: int,
    worker_id: str,
    weights: PriorityWeights | None = None,
    lease_seconds: float = LEASE_SECONDS,
    retention_days: int = 30,
) -> Scored:
    """Claim, score and store one batch of the backlog: how many captures this call scored (0
    when there was nothing free to claim) and the queue items they rank. Blocking: run it in
    an executor."""
    weights = weights or PriorityWeights()
    claim = claim_batch(db, worker_id=worker_id, batch_size=batch_size,
                        lease_seconds=lease_seconds, now=utcnow())
    if not claim.captures and not claim.missing:
        return Scored()
    started = time.perf_counter()
    try:
        texts = [c.text for c in claim.captures]
        predictions = scorer.predict(texts) if texts else []
        if len(predictions) != len(texts):
            raise RuntimeError(f"scorer returned {len(predictions)} predictions for "
                               f"{len(texts)} captures")
    except Exception:
        # The lease stays until it runs out, then another try (up to MAX_ATTEMPTS).
        log.exception("scoring a batch of %d captures failed", len(claim.captures))
        _record_stats(db, worker_id, scored=0, seconds=0.0, failed=True)
        raise
    seconds = time.perf_counter() - started
    preds = {c.id or 0: p for c, p in zip(claim.captures, predictions, strict=True)}
    for attempt in range(_WRITE_RETRIES):
        try:
            with db.write() as session:
                written, items = _write_scores(
                    session, claim, preds, model_version=scorer.model_version, weights=weights,
                    now=utcnow(), retention_days=retention_days)
            break
        except (IntegrityError, OperationalError) as err:
            # Two versions of one post scored at once race for its queue row (or PostgreSQL
            # broke a deadlock); the whole write rolled back, our leases still stand: retry.
            if attempt == _WRITE_RETRIES - 1:
                raise
            log.info("retrying a scoring write after %s", type(err).__name__)
    _record_stats(db, worker_id, scored=written, seconds=seconds, failed=False)
    return Scored(written, items)


async def scoring_loop(
    db: Database,
    scorer: Scorer,
    *,
    stop: asyncio.Event,
    worker_id: str,
    batch_size: int = 64,
    idle_sleep: float = 2.0,
    weights: PriorityWeights | None = None,
    lease_seconds: float = LEASE_SECONDS,
    on_scored: Callable[[list[int]], Awaitable[None]] | None = None,
) -> None:
    """Score the backlog until ``stop`` is set; inference and SQL run in the default executor.
    A failing batch is logged and retried after its lease: the loop itself never dies of it.
    ``on_scored`` gets each stored batch's queue item ids (the worker sends urgent alerts)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            done = await loop.run_in_executor(None, lambda: score_pending(
                db, scorer, batch_size=batch_size, worker_id=worker_id, weights=weights,
                lease_seconds=lease_seconds))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scoring loop: batch failed; backing off %.1fs", idle_sleep)
            done = Scored()
        if done.item_ids and on_scored is not None:
            try:
                await on_scored(done.item_ids)
            except asyncio.CancelledError:
                raise
            except Exception:  # the outbox retries what this missed; scoring goes on
                log.exception("scoring loop: alerting on %d items failed", len(done.item_ids))
        if done.written == 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=idle_sleep)


def backlog_size(db: Database) -> int:
    """Captures waiting for the model (the backlog is small by design, so COUNT is cheap)."""
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ScoringBacklog)) or 0)
