"""Set-based writes for a batch of posts: payloads, captures, scores and queue items.

Each kind of row is written with one statement per batch (an executemany that SQLAlchemy sends
as multi-row INSERT ... RETURNING on SQLite and PostgreSQL alike), never row by row with a flush
each: at 256 posts a batch that was three round trips and an ORM flush per post, and it cost as
much as scoring them. Everything runs in the caller's write transaction, so a batch is still
stored whole or not at all.

The callers have already decided which posts are new (``pipeline.known_keys``); this module
only numbers versions, links rows and writes them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import insert, select, update
from sqlmodel import Session, col, func

from connectors.post import Post
from models.types import Prediction
from monitor import tool_version
from monitor.review.priority import PriorityWeights, priority
from monitor.storage.tables.evidence import Capture, Payload, Score
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import utcnow

PostRef = tuple[str, str]  # platform, post_id

_SPACE = re.compile(r"\s+")


def text_fingerprint(text: str) -> str:
    """Groups copy-paste campaigns: same words, whatever the case and spacing."""
    return hashlib.sha256(_SPACE.sub(" ", text.casefold()).strip().encode()).hexdigest()


def _in_chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """IN lists of a bounded length (SQLite's bound-parameter limit, plan-cache friendliness)."""
    return [values[i:i + size] for i in range(0, len(values), size)]


def store_payloads(session: Session, posts: Sequence[Post]) -> list[str | None]:
    """Each post's response-body hash (None without one); bodies not yet stored are inserted
    once, however many posts share them."""
    shas: list[str | None] = []
    bodies: dict[str, Post] = {}
    for post in posts:
        if post.response is None:
            shas.append(None)
            continue
        sha = hashlib.sha256(post.response).hexdigest()
        shas.append(sha)
        bodies.setdefault(sha, post)
    if not bodies:
        return shas
    have: set[str] = set()
    for chunk in _in_chunks(list(bodies)):
        have.update(session.scalars(
            select(col(Payload.sha256)).where(col(Payload.sha256).in_(chunk))).all())
    fetched = utcnow()
    rows = [{"sha256": sha, "body": p.response, "url": p.response_url, "fetched_at": fetched}
            for sha, p in bodies.items() if sha not in have]
    if rows:
        session.execute(insert(Payload), rows)
    return shas


def _prior_versions(session: Session, refs: set[PostRef]) -> dict[PostRef, int]:
    out: dict[PostRef, int] = {}
    platforms = sorted({platform for platform, _ in refs})
    for chunk in _in_chunks(sorted({post_id for _, post_id in refs})):
        # Both columns, so the lookup uses the (platform, post_id) index, not a scan.
        rows = session.execute(
            select(col(Capture.platform), col(Capture.post_id), func.max(col(Capture.version)))
            .where(col(Capture.platform).in_(platforms), col(Capture.post_id).in_(chunk))
            .group_by(col(Capture.platform), col(Capture.post_id))
        ).all()
        for platform, post_id, version in rows:
            if (platform, post_id) in refs:
                out[(platform, post_id)] = int(version or 0)
    return out


def insert_captures(
    session: Session,
    posts: Sequence[Post],
    *,
    now: datetime,
    origin: str,
    source_id: int | None,
    review_date: date,
    languages: Sequence[str | None] | None = None,
) -> list[Capture]:
    """Store new versions of posts as evidence (the caller has checked each is new), in order.

    The one place captures are built, so every path (inline scoring, deferred scoring) stores
    the same evidence: raw payload and its hash, UTC capture time, tool version, provenance.
    Two versions of one post in the same batch get consecutive version numbers. Returns
    detached ``Capture`` objects carrying their new ids."""
    if not posts:
        return []
    payloads = store_payloads(session, posts)
    versions = _prior_versions(session, {(p.platform, p.post_id) for p in posts})
    tool = tool_version()
    captures: list[Capture] = []
    for i, post in enumerate(posts):
        ref = (post.platform, post.post_id)
        versions[ref] = versions.get(ref, 0) + 1
        language = languages[i] if languages is not None else None
        captures.append(Capture(
            platform=post.platform,
            post_id=post.post_id,
            version=versions[ref],
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
            payload_sha256=payloads[i],
            tool_version=tool,
            origin=origin,
            source_id=source_id,
            review_date=review_date,
        ))
    rows = [c.model_dump(exclude={"id"}) for c in captures]
    ids = session.scalars(
        insert(Capture).returning(col(Capture.id), sort_by_parameter_order=True), rows
    ).all()
    for capture, new_id in zip(captures, ids, strict=True):
        capture.id = new_id
    return captures


def insert_scores(
    session: Session,
    scored: Sequence[tuple[Capture, Prediction]],
    *,
    model_version: str,
    role: str = "live",
    now: datetime,
) -> list[int]:
    """One score row per (capture, prediction), in order; returns their ids."""
    if not scored:
        return []
    rows = [
        {
            "capture_id": capture.id or 0,
            "model_version": model_version,
            "role": role,
            "p_hate": pred.p_hate,
            "strands": dict(pred.strands),
            "severity": pred.severity,
            "language": pred.language,
            "language_supported": pred.language_supported,
            "explanation": dict(pred.explanation),
            "created_at": now,
        }
        for capture, pred in scored
    ]
    ids = session.scalars(
        insert(Score).returning(col(Score.id), sort_by_parameter_order=True), rows
    ).all()
    return cast("list[int]", list(ids))  # a returned primary key is never NULL


def upsert_queue_items(
    session: Session,
    ranked: Sequence[tuple[Capture, int, Prediction]],
    *,
    weights: PriorityWeights,
    now: datetime,
    default_review_date: date,
) -> list[int]:
    """Point each post's queue item at (capture, score id), creating it if the post has none;
    a person's decided or escalated item keeps its priority. Items are per post, so a batch
    holding two versions of one post ends pointing at the later one (the order given). Returns
    the queue item id of each entry, in order."""
    if not ranked:
        return []
    refs = {(c.platform, c.post_id) for c, _, _ in ranked}
    existing: dict[PostRef, tuple[int, str, float]] = {}
    platforms = sorted({platform for platform, _ in refs})
    for chunk in _in_chunks(sorted({post_id for _, post_id in refs})):
        for item_id, platform, post_id, status, prio in session.execute(
            select(col(QueueItem.id), col(QueueItem.platform), col(QueueItem.post_id),
                   col(QueueItem.status), col(QueueItem.priority))
            .where(col(QueueItem.platform).in_(platforms), col(QueueItem.post_id).in_(chunk))
        ).all():
            if (platform, post_id) in refs:
                existing[(platform, post_id)] = (item_id, status, prio)
    latest: dict[PostRef, dict[str, Any]] = {}
    for capture, score_id, pred in ranked:
        ref = (capture.platform, capture.post_id)
        prio = priority(pred, capture.created_at, now, weights)
        found = existing.get(ref)
        latest[ref] = {
            "capture_id": capture.id or 0,
            "score_id": score_id,
            "p_hate": pred.p_hate,
            "severity": pred.severity,
            "top_strand": pred.top_strand,
            "language_supported": pred.language_supported,
            "author_handle": capture.author_handle,
            "text_sha256": text_fingerprint(capture.text),
            "updated_at": now,
            "priority": prio if found is None or found[1] == "open" else found[2],
            # Only used when the item is new:
            "source_id": capture.source_id,
            "review_date": capture.review_date or default_review_date,
        }
    updates = [
        {"id": existing[ref][0], **{k: v for k, v in row.items()
                                    if k not in ("source_id", "review_date")}}
        for ref, row in latest.items() if ref in existing
    ]
    if updates:
        # ORM bulk UPDATE by primary key: one executemany for the batch.
        session.execute(update(QueueItem), updates)
    fresh = [ref for ref in latest if ref not in existing]
    if fresh:
        rows = [
            {"platform": ref[0], "post_id": ref[1], "status": "open", "created_at": now,
             "assignee_id": None, "claimed_until": None, "decided_at": None, **latest[ref]}
            for ref in fresh
        ]
        ids = session.scalars(
            insert(QueueItem).returning(col(QueueItem.id), sort_by_parameter_order=True), rows
        ).all()
        for ref, new_id in zip(fresh, cast("list[int]", ids), strict=True):
            existing[ref] = (new_id, "open", 0.0)
    return [existing[(c.platform, c.post_id)][0] for c, _, _ in ranked]
