"""Structured decisions on queue items: validate, record, undo, bulk; every one audited.

The model ranks, a person decides (DOMAIN.md): a decision stores the live score at the time so
it can serve as a label for retraining, and the item leaves the queue only through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from monitor.audit import chain as audit
from monitor.review import vocabulary
from monitor.review.queue import CLAIM_MINUTES, PREVIEW_CHARS, claimable
from monitor.storage.tables.accounts import User
from monitor.storage.tables.evidence import Capture, Score
from monitor.storage.tables.review import Decision, QueueItem

# The labels live in the one vocabulary every page and report uses.
OUTCOMES: dict[str, str] = dict(vocabulary.OUTCOMES)
PERCEIVERS: dict[str, str] = dict(vocabulary.PERCEIVERS)
OFFENCES: dict[str, str] = dict(vocabulary.OFFENCES)
UNDO_SECONDS = 30
MAX_RATIONALE = 5000


class DecisionConflict(Exception):
    """The item cannot take this decision now (decided already, or someone else holds it)."""


@dataclass(frozen=True, slots=True)
class DecisionInput:
    outcome: str
    strands: tuple[str, ...] = ()
    perceived_by: str | None = None
    offences: tuple[str, ...] = ()
    rationale: str = ""


@dataclass(slots=True)
class ParsedDecision:
    """A form's values as typed (kept even when invalid, so nothing is lost) and its errors."""

    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    data: DecisionInput | None = None


def parse_decision(
    outcome: str,
    strands: Sequence[str],
    perceived_by: str,
    offences: Sequence[str],
    rationale: str,
    *,
    allowed_strands: Sequence[str],
) -> ParsedDecision:
    rationale = rationale.strip()
    values: dict[str, Any] = {
        "outcome": outcome,
        "strands": list(strands),
        "perceived_by": perceived_by,
        "offences": list(offences),
        "rationale": rationale,
    }
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "Choose an outcome: not hate, hate - intelligence, or possible crime."
    bad_strands = [s for s in strands if s not in allowed_strands]
    if bad_strands:
        errors["strands"] = f"Unknown strand(s): {', '.join(bad_strands)}."
    elif outcome in ("hate_intelligence", "possible_crime") and not strands:
        errors["strands"] = "Choose at least one strand for a hate decision."
    if perceived_by and perceived_by not in PERCEIVERS:
        errors["perceived_by"] = "Choose who perceived it: victim, witness, officer or moderator."
    elif outcome in ("hate_intelligence", "possible_crime") and not perceived_by:
        errors["perceived_by"] = "Say who perceived the hostility (victim, witness, officer...)."
    bad_offences = [o for o in offences if o not in OFFENCES]
    if bad_offences:
        errors["offences"] = f"Unknown offence(s): {', '.join(bad_offences)}."
    if outcome != "not_hate" and not rationale:
        errors["rationale"] = "Give a rationale: it is required unless you dismiss the item."
    elif len(rationale) > MAX_RATIONALE:
        errors["rationale"] = f"Keep the rationale under {MAX_RATIONALE} characters."
    parsed = ParsedDecision(values=values, errors=errors)
    if not errors:
        parsed.data = DecisionInput(
            outcome=outcome,
            strands=tuple(dict.fromkeys(strands)),
            perceived_by=perceived_by or None,
            offences=tuple(dict.fromkeys(offences)) if outcome != "not_hate" else (),
            rationale=rationale,
        )
    return parsed


def _take_for_decision(session: Session, item_id: int, user_id: int, now: datetime) -> QueueItem:
    """Atomically move an open item that this user may work to 'decided'."""
    result = session.exec(
        update(QueueItem)
        .where(col(QueueItem.id) == item_id, col(QueueItem.status) == "open",
               claimable(QueueItem, user_id, now))
        .values(status="decided", decided_at=now, updated_at=now, assignee_id=user_id,
                claimed_until=None)
    )
    item = session.get(QueueItem, item_id, populate_existing=True)
    if item is None:
        raise DecisionConflict(f"queue item {item_id} does not exist")
    if result.rowcount != 1:
        if item.status != "open":
            raise DecisionConflict(f"item {item_id} has already been decided")
        holder = session.get(User, item.assignee_id) if item.assignee_id else None
        name = holder.username if holder else "another officer"
        raise DecisionConflict(f"item {item_id} is being reviewed by {name}")
    return item


def _insert(
    session: Session, item: QueueItem, user: User, data: DecisionInput, now: datetime
) -> Decision:
    score = session.get(Score, item.score_id) if item.score_id else None
    decision = Decision(
        queue_item_id=item.id or 0,
        capture_id=item.capture_id,
        user_id=user.id or 0,
        outcome=data.outcome,
        strands=list(data.strands),
        perceived_by=data.perceived_by,
        offences=list(data.offences),
        rationale=data.rationale,
        p_hate_at_decision=score.p_hate if score else item.p_hate,
        model_version=score.model_version if score else None,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    return decision


def record_decision(
    session: Session, *, item_id: int, user: User, data: DecisionInput, now: datetime,
    bulk: str | None = None,
) -> Decision:
    """Store one decision and close the item, inside the caller's write transaction."""
    item = _take_for_decision(session, item_id, user.id or 0, now)
    decision = _insert(session, item, user, data, now)
    audit.record(
        session,
        actor=user.username,
        action="decide",
        object_type="queue_item",
        object_id=item_id,
        reason=data.rationale or None,
        details={
            "decision_id": decision.id,
            "capture_id": item.capture_id,
            "outcome": data.outcome,
            "strands": list(data.strands),
            "perceived_by": data.perceived_by,
            "offences": list(data.offences),
            "p_hate_at_decision": decision.p_hate_at_decision,
            "model_version": decision.model_version,
            "bulk": bulk,
        },
    )
    return decision


def undo_decision(
    session: Session, *, decision_id: int, user: User, now: datetime,
    window_s: int = UNDO_SECONDS,
) -> Decision:
    """Withdraw a fresh decision: the item reopens, claimed by the same officer."""
    decision = session.get(Decision, decision_id)
    if decision is None or decision.user_id != user.id:
        raise DecisionConflict(f"decision {decision_id} is not one of yours")
    if decision.undone_at is not None:
        raise DecisionConflict(f"decision {decision_id} was already undone")
    if now - decision.created_at > timedelta(seconds=window_s):
        raise DecisionConflict(
            f"decision {decision_id} is older than {window_s} seconds and can no longer be undone"
        )
    result = session.exec(
        update(Decision)
        .where(col(Decision.id) == decision_id, col(Decision.undone_at).is_(None))
        .values(undone_at=now)
    )
    if result.rowcount != 1:
        raise DecisionConflict(f"decision {decision_id} was already undone")
    session.exec(
        update(QueueItem)
        .where(col(QueueItem.id) == decision.queue_item_id, col(QueueItem.status) == "decided")
        .values(status="open", decided_at=None, updated_at=now, assignee_id=user.id,
                claimed_until=now + timedelta(minutes=CLAIM_MINUTES))
    )
    audit.record(
        session,
        actor=user.username,
        action="decision.undo",
        object_type="queue_item",
        object_id=decision.queue_item_id,
        details={"decision_id": decision_id, "outcome": decision.outcome},
    )
    session.refresh(decision)
    return decision


# --- bulk ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BulkTarget:
    kind: str  # "group" (same text) | "author"
    key: str  # text_sha256, or the author handle
    platform: str | None = None  # for "author": handles are per platform


@dataclass(frozen=True, slots=True)
class BulkCandidate:
    item_id: int
    author_handle: str
    platform: str
    p_hate: float
    preview: str


def bulk_candidates(
    session: Session, target: BulkTarget, user_id: int, *, now: datetime, limit: int = 500
) -> list[BulkCandidate]:
    """Open items matching the target that this user may decide (not held by someone else)."""
    q = QueueItem
    conds = [col(q.status) == "open", claimable(q, user_id, now)]
    if target.kind == "group":
        conds.append(col(q.text_sha256) == target.key)
    elif target.kind == "author":
        conds.append(col(q.author_handle) == target.key)
        if target.platform:
            conds.append(col(q.platform) == target.platform)
    else:
        raise ValueError(f"bulk target kind must be 'group' or 'author', got {target.kind!r}")
    rows = session.exec(
        select(q, Capture.text)
        .join(Capture, col(Capture.id) == q.capture_id)
        .where(*conds)
        .order_by(col(q.priority).desc(), col(q.id).desc())
        .limit(limit)
    ).all()
    return [
        BulkCandidate(i.id or 0, i.author_handle, i.platform, i.p_hate, t[:PREVIEW_CHARS])
        for i, t in rows
    ]


def bulk_decide(
    session: Session, *, target: BulkTarget, item_ids: Sequence[int], user: User,
    data: DecisionInput, now: datetime,
) -> list[Decision]:
    """Decide exactly the confirmed items that still match the target and are still free."""
    still = {c.item_id for c in bulk_candidates(session, target, user.id or 0, now=now)}
    label = f"{target.kind}:{target.key}"
    decisions = []
    for item_id in item_ids:
        if item_id in still:
            decisions.append(
                record_decision(session, item_id=item_id, user=user, data=data, now=now,
                                bulk=label)
            )
    return decisions


def last_decision(session: Session, item_id: int) -> Decision | None:
    return session.exec(
        select(Decision)
        .where(col(Decision.queue_item_id) == item_id, col(Decision.undone_at).is_(None))
        .order_by(col(Decision.id).desc())
        .limit(1)
    ).first()


# --- what the officer sees before deciding ------------------------------------------------


@dataclass(frozen=True, slots=True)
class DecisionView:
    id: int
    queue_item_id: int
    outcome: str
    strands: list[str]
    perceived_by: str | None
    offences: list[str]
    rationale: str
    username: str
    created_at: datetime
    undone_at: datetime | None


@dataclass(frozen=True, slots=True)
class RelatedPost:
    capture: Capture
    item_id: int | None
    status: str | None


@dataclass(frozen=True, slots=True)
class ItemContext:
    item: QueueItem
    capture: Capture
    score: Score | None
    versions: int
    source_name: str | None
    assignee: str | None
    thread: list[RelatedPost]
    author_posts: list[RelatedPost]
    decisions: list[DecisionView]
    author_decisions: list[DecisionView]
    similar: list[RelatedPost]


def _decision_views(session: Session, *conds: Any, limit: int = 20) -> list[DecisionView]:
    rows = session.exec(
        select(Decision, User.username)
        .join(User, col(User.id) == Decision.user_id)
        .join(QueueItem, col(QueueItem.id) == Decision.queue_item_id)
        .where(*conds)
        .order_by(col(Decision.id).desc())
        .limit(limit)
    ).all()
    return [
        DecisionView(d.id or 0, d.queue_item_id, d.outcome, list(d.strands), d.perceived_by,
                     list(d.offences), d.rationale, name, d.created_at, d.undone_at)
        for d, name in rows
    ]


def _related(session: Session, *conds: Any, limit: int = 20) -> list[RelatedPost]:
    # The latest capture of each related post, through its queue item when it has one.
    rows = session.exec(
        select(Capture, QueueItem.id, QueueItem.status)
        .outerjoin(QueueItem, col(QueueItem.capture_id) == Capture.id)
        .where(*conds)
        .order_by(col(Capture.created_at).desc(), col(Capture.id).desc())
        .limit(limit)
    ).all()
    return [RelatedPost(c, i, s) for c, i, s in rows]


def item_context(session: Session, item_id: int) -> ItemContext | None:
    from monitor.storage.tables.sources import Source

    item = session.get(QueueItem, item_id)
    if item is None:
        return None
    capture = session.get(Capture, item.capture_id)
    if capture is None:
        return None
    score = session.get(Score, item.score_id) if item.score_id else None
    versions = len(session.exec(
        select(Capture.id).where(col(Capture.platform) == item.platform,
                                 col(Capture.post_id) == item.post_id)
    ).all())
    source = session.get(Source, item.source_id) if item.source_id else None
    assignee = session.get(User, item.assignee_id) if item.assignee_id else None
    latest_only = col(QueueItem.id).is_not(None)
    thread: list[RelatedPost] = []
    if capture.thread_id:
        thread = _related(session, col(Capture.platform) == capture.platform,
                          col(Capture.thread_id) == capture.thread_id,
                          col(Capture.post_id) != capture.post_id, latest_only)
    author_posts = _related(session, col(Capture.platform) == capture.platform,
                            col(Capture.author_handle) == capture.author_handle,
                            col(Capture.post_id) != capture.post_id, latest_only)
    similar: list[RelatedPost] = []
    if item.text_sha256:
        similar = _related(session, col(QueueItem.text_sha256) == item.text_sha256,
                           col(QueueItem.id) != item_id)
    return ItemContext(
        item=item,
        capture=capture,
        score=score,
        versions=versions,
        source_name=source.name if source else None,
        assignee=assignee.username if assignee else None,
        thread=thread,
        author_posts=author_posts,
        decisions=_decision_views(session, col(Decision.queue_item_id) == item_id),
        author_decisions=_decision_views(
            session, col(QueueItem.platform) == item.platform,
            col(QueueItem.author_handle) == item.author_handle,
            col(QueueItem.id) != item_id,
        ),
        similar=similar,
    )


def undoable(session: Session, decision_id: int, user_id: int, *, now: datetime,
             window_s: int = UNDO_SECONDS) -> Decision | None:
    """The user's own decision if it can still be undone (offered on the next page)."""
    d = session.get(Decision, decision_id)
    if d is None or d.user_id != user_id or d.undone_at is not None:
        return None
    return d if now - d.created_at <= timedelta(seconds=window_s) else None
