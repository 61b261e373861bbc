"""ingest → store capture → score → enqueue, as plain typed stage functions.

Each batch is scored *before* its write transaction and then stored in one transaction
(captures, scores, queue items and the audit event together), so a crash at any point leaves
either the whole batch or none of it, and re-running the same input ends with every post stored
exactly once. Inference runs in a worker thread, never on the event loop.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from connectors.post import Post
from models.types import Prediction, Scorer
from monitor import tool_version
from monitor.audit import chain as audit
from monitor.review.priority import PriorityWeights, priority
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Payload, Score
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import utcnow

PostKey = tuple[str, str, str]  # platform, post_id, content_sha256

_SPACE = re.compile(r"\s+")


def text_fingerprint(text: str) -> str:
    """Groups copy-paste campaigns: same words, whatever the case and spacing."""
    return hashlib.sha256(_SPACE.sub(" ", text.casefold()).strip().encode()).hexdigest()


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
            col(Capture.content_sha256).in_(shas)
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


def _store_payload(session: Session, post: Post, stored: set[str]) -> str | None:
    if post.response is None:
        return None
    sha = hashlib.sha256(post.response).hexdigest()
    if sha not in stored and session.get(Payload, sha) is None:
        session.add(Payload(sha256=sha, body=post.response, url=post.response_url))
        session.flush()
    stored.add(sha)
    return sha


def insert_capture(
    session: Session,
    post: Post,
    *,
    now: datetime,
    origin: str,
    source_id: int | None,
    review_date: date,
    payloads: set[str],
    language: str | None = None,
) -> Capture:
    """Stage: store one new version of a post as evidence (the caller has checked it is new).

    The one place a capture is built, so every path (inline scoring, deferred scoring) stores
    the same evidence: raw payload and its hash, UTC capture time, tool version, provenance."""
    prior = session.exec(
        select(func.max(Capture.version)).where(
            Capture.platform == post.platform, Capture.post_id == post.post_id
        )
    ).one()
    capture = Capture(
        platform=post.platform,
        post_id=post.post_id,
        version=(prior or 0) + 1,
        content_sha256=post.content_sha256,
        url=post.url,
        author_handle=post.author_handle,
        author_id=post.author_id,
        created_at=post.created_at,
        created_at_known=post.created_at_known,
        captured_at=now,
        text=post.text,
        language=language or post.language,
        thread_id=post.thread_id,
        parent_id=post.parent_id,
        raw=post.raw,
        raw_content_type=post.raw_content_type,
        raw_sha256=post.raw_sha256,
        payload_sha256=_store_payload(session, post, payloads),
        tool_version=tool_version(),
        origin=origin,
        source_id=source_id,
        review_date=review_date,
    )
    session.add(capture)
    session.flush()
    return capture


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


def _upsert_queue_item(
    session: Session,
    capture: Capture,
    score: Score,
    pred: Prediction,
    *,
    weights: PriorityWeights,
    now: datetime,
    review_date: date,
) -> QueueItem:
    item = session.exec(
        select(QueueItem).where(
            QueueItem.platform == capture.platform, QueueItem.post_id == capture.post_id
        )
    ).first()
    prio = priority(pred, capture.created_at, now, weights)
    if item is None:
        item = QueueItem(
            platform=capture.platform,
            post_id=capture.post_id,
            capture_id=capture.id or 0,
            source_id=capture.source_id,
            review_date=review_date,
            created_at=now,
        )
    item.capture_id = capture.id or 0
    item.score_id = score.id
    item.p_hate = pred.p_hate
    item.severity = pred.severity
    item.top_strand = pred.top_strand
    item.language_supported = pred.language_supported
    item.author_handle = capture.author_handle
    item.text_sha256 = text_fingerprint(capture.text)
    item.updated_at = now
    if item.status == "open":
        item.priority = prio
    session.add(item)
    session.flush()
    return item


def attach_score(
    session: Session,
    capture: Capture,
    pred: Prediction,
    *,
    model_version: str,
    weights: PriorityWeights,
    now: datetime,
    review_date: date,
) -> QueueItem:
    """Stage: score + enqueue for one stored capture (the live model's view ranks the queue)."""
    score = Score(
        capture_id=capture.id or 0,
        model_version=model_version,
        role="live",
        p_hate=pred.p_hate,
        strands=dict(pred.strands),
        severity=pred.severity,
        language=pred.language,
        language_supported=pred.language_supported,
        explanation=dict(pred.explanation),
        created_at=now,
    )
    session.add(score)
    session.flush()
    return _upsert_queue_item(
        session, capture, score, pred, weights=weights, now=now, review_date=review_date
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
    known = known_keys(session, posts)
    payloads: set[str] = set()
    for post in posts:
        key = post_key(post)
        if key in known:
            result.duplicate += 1
            continue
        known.add(key)
        pred = predictions.get(key)
        if pred is None:
            raise RuntimeError(f"{post.platform}:{post.post_id} reached storage unscored")
        capture = insert_capture(
            session, post, now=now, origin=origin, source_id=source_id, review_date=review,
            payloads=payloads, language=post.language or pred.language,
        )
        item = attach_score(
            session, capture, pred, model_version=model_version, weights=weights, now=now,
            review_date=review,
        )
        result.count(capture)
        result.queue_item_ids.append(item.id or 0)
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
    with db.read() as session:
        fresh = unique_new(posts, known_keys(session, posts))
    predictions = score_posts(scorer, fresh)
    result: BatchResult | None = None
    for attempt in range(3):
        try:
            with db.write() as session:
                result = store_batch(
                    session,
                    posts,
                    predictions,
                    model_version=scorer.model_version,
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
