"""ingest → store capture → score → enqueue, as plain typed stage functions.

Each batch is scored *before* its write transaction and then stored in one transaction
(captures, scores, queue items and the audit event together), so a crash at any point leaves
either the whole batch or none of it, and re-running the same input ends with every post stored
exactly once. Inference runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from connectors.post import Post
from models.types import Prediction, Scorer
from monitor.audit import chain as audit
from monitor.ingest import writes
from monitor.ingest.writes import text_fingerprint as text_fingerprint  # re-exported
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.types import utcnow

PostKey = tuple[str, str, str]  # platform, post_id, content_sha256

def post_key(post: Post) -> PostKey:
    return (post.platform, post.post_id, post.content_sha256)


@dataclass(slots=True)
class BatchResult:
    new: int = 0
    versions: int = 0  # new versions of posts already captured (edits)
    duplicate: int = 0
    capture_ids: list[int] = field(default_factory=list)
    queue_item_ids: list[int] = field(default_factory=list)

    def count(self, capture: Capture) -> None:
        """Tally one stored capture: a first version is new, a later one an edit."""
        if capture.version > 1:
            self.versions += 1
        else:
            self.new += 1
        self.capture_ids.append(capture.id or 0)

    def add(self, other: BatchResult) -> None:
        self.new += other.new
        self.versions += other.versions
        self.duplicate += other.duplicate
        self.capture_ids += other.capture_ids
        self.queue_item_ids += other.queue_item_ids


def known_keys(session: Session, posts: Sequence[Post]) -> set[PostKey]:
    """Which of these post versions are already captured."""
    if not posts:
        return set()
    shas = {p.content_sha256 for p in posts}
    rows = session.exec(
        select(Capture.platform, Capture.post_id, Capture.content_sha256).where(
            # platform and post_id too, so the lookup uses uq_capture_version, not a scan
            col(Capture.platform).in_({p.platform for p in posts}),
            col(Capture.post_id).in_({p.post_id for p in posts}),
            col(Capture.content_sha256).in_(shas),
        )
    ).all()
    return {(r[0], r[1], r[2]) for r in rows}


def unique_new(posts: Sequence[Post], known: set[PostKey]) -> list[Post]:
    seen: set[PostKey] = set(known)
    out: list[Post] = []
    for p in posts:
        k = post_key(p)
        if k not in seen:
            seen.add(k)
            out.append(p)
    return out


def score_posts(scorer: Scorer, posts: Sequence[Post]) -> dict[PostKey, Prediction]:
    """Stage: score. Blocking; call it from a worker thread."""
    if not posts:
        return {}
    preds = scorer.predict([p.text for p in posts])
    if len(preds) != len(posts):
        raise RuntimeError(f"scorer returned {len(preds)} predictions for {len(posts)} posts")
    return {post_key(p): pr for p, pr in zip(posts, preds, strict=True)}


def record_collection(
    session: Session,
    result: BatchResult,
    *,
    actor: str,
    origin: str,
    source_id: int | None,
    offered: int,
    **extra: str,
) -> None:
    """The 'collect' audit event for a batch that stored something (DPA s62: collection)."""
    if not result.capture_ids:
        return
    audit.record(
        session,
        actor=actor,
        action="collect",
        object_type="capture",
        reason=f"{origin} of {offered} posts",
        details={
            "origin": origin,
            "source_id": source_id,
            "new": result.new,
            "versions": result.versions,
            "duplicate": result.duplicate,
            "capture_ids": result.capture_ids,
            **extra,
        },
    )


def attach_scores(
    session: Session,
    scored: Sequence[tuple[Capture, Prediction]],
    *,
    model_version: str,
    weights: PriorityWeights,
    now: datetime,
    review_date: date,
) -> list[int]:
    """Stage: score + enqueue stored captures (the live model's view ranks the queue), one
    statement per table for the batch; returns each capture's queue item id."""
    score_ids = writes.insert_scores(session, scored, model_version=model_version, now=now)
    return writes.upsert_queue_items(
        session, [(c, sid, p) for (c, p), sid in zip(scored, score_ids, strict=True)],
        weights=weights, now=now, default_review_date=review_date,
    )


def store_batch(
    session: Session,
    posts: Sequence[Post],
    predictions: dict[PostKey, Prediction],
    *,
    model_version: str,
    weights: PriorityWeights,
    origin: str,
    actor: str,
    source_id: int | None = None,
    retention_days: int = 30,
    now: datetime | None = None,
) -> BatchResult:
    """Stage: store capture + score + enqueue, inside the caller's write transaction."""
    now = now or utcnow()
    review = (now + timedelta(days=retention_days)).date()
    result = BatchResult()
    fresh: list[Post] = []
    preds: list[Prediction] = []
    seen = known_keys(session, posts)
    for post in posts:
        key = post_key(post)
        if key in seen:
            result.duplicate += 1
            continue
        seen.add(key)
        pred = predictions.get(key)
        if pred is None:
            raise RuntimeError(f"{post.platform}:{post.post_id} reached storage unscored")
        fresh.append(post)
        preds.append(pred)
    captures = writes.insert_captures(
        session, fresh, now=now, origin=origin, source_id=source_id, review_date=review,
        languages=[post.language or pred.language for post, pred in zip(fresh, preds,
                                                                          strict=True)],
    )
    result.queue_item_ids = attach_scores(
        session, list(zip(captures, preds, strict=True)), model_version=model_version,
        weights=weights, now=now, review_date=review,
    )
    for capture in captures:
        result.count(capture)
    record_collection(
        session, result, actor=actor, origin=origin, source_id=source_id, offered=len(posts)
    )
    return result


async def process_posts(
    db: Database,
    scorer: Scorer,
    posts: Sequence[Post],
    *,
    weights: PriorityWeights,
    origin: str,
    actor: str,
    source_id: int | None = None,
    retention_days: int = 30,
    shadows: Sequence[Scorer] = (),
) -> BatchResult:
    """ingest → score → store → enqueue one batch; safe to repeat with the same posts."""
    return await db.run(
        process_posts_sync,
        db,
        scorer,
        posts,
        weights=weights,
        origin=origin,
        actor=actor,
        source_id=source_id,
        retention_days=retention_days,
        shadows=shadows,
    )


def process_posts_sync(
    db: Database,
    scorer: Scorer,
    posts: Sequence[Post],
    *,
    weights: PriorityWeights,
    origin: str,
    actor: str,
    source_id: int | None = None,
    retention_days: int = 30,
    shadows: Sequence[Scorer] = (),
) -> BatchResult:
    """The blocking form of ``process_posts``. ``shadows``: models on trial, whose scores are
    stored beside the live ones and never rank the queue."""
    return store_scored(
        db, posts, score_new(db, scorer, posts), model_version=scorer.model_version,
        weights=weights, origin=origin, actor=actor, source_id=source_id,
        retention_days=retention_days, shadows=shadows,
    )


def score_new(db: Database, scorer: Scorer, posts: Sequence[Post]) -> dict[PostKey, Prediction]:
    """Stage: score the posts not captured yet (a short read, then the model; no transaction
    is open while the model runs). Blocking; call it from a worker thread."""
    with db.read() as session:
        fresh = unique_new(posts, known_keys(session, posts))
    return score_posts(scorer, fresh)


def store_scored(
    db: Database,
    posts: Sequence[Post],
    predictions: dict[PostKey, Prediction],
    *,
    model_version: str,
    weights: PriorityWeights,
    origin: str,
    actor: str,
    source_id: int | None = None,
    retention_days: int = 30,
    shadows: Sequence[Scorer] = (),
) -> BatchResult:
    """Stage: store a scored batch in one write transaction (``store_batch``), retried when
    another writer stored some of the same posts first; then the shadow models' scores."""
    result: BatchResult | None = None
    for attempt in range(3):
        try:
            with db.write() as session:
                result = store_batch(
                    session,
                    posts,
                    predictions,
                    model_version=model_version,
                    weights=weights,
                    origin=origin,
                    actor=actor,
                    source_id=source_id,
                    retention_days=retention_days,
                )
            break
        except IntegrityError:
            # Another worker stored some of these posts between our read and our write; the
            # retry sees them as duplicates. Anything else is a real error.
            if attempt == 2:
                raise
    assert result is not None
    if shadows and result.capture_ids:
        from monitor.classifier.versions import score_shadow

        for shadow in shadows:
            score_shadow(db, shadow, result.capture_ids)
    return result
