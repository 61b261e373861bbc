"""Retention: purge queue items dismissed as not hate once ``retention.dismissed_days`` have
passed since the dismissal (DPA 2018 Part 3: keep only what is needed, for as long as needed).

What goes, per purged item: the queue item, every captured version of the post, their scores,
raw payloads no other capture shares, and the item's decision records. Decisions go too: with
the capture gone a decision is no longer a usable label, its free-text rationale may quote the
post, and the audit trail already records that the decision was made, by whom and when.

What stays: any item some other record points at (a case, a moderator's report, anything a
later table adds with a foreign key) -- found by inspecting the schema's foreign keys, so a new
table that refers to queue items or captures is protected without changing this module --, and
the audit trail, which is append-only and is never purged. Each purge writes one audit event
per batch naming the rule and the ids removed, never the content.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    delete,
    exists,
    func,
    inspect,
    select,
    text,
)
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Payload, Score
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow

log = logging.getLogger(__name__)

RULE = "dismissed_not_hate"
BATCH = 200
_OWNED = {"queue_items", "captures", "scores", "decisions", "payloads"}


@dataclass(frozen=True, slots=True)
class ExternalRef:
    table: str
    column: str
    referred: str  # one of _OWNED


@dataclass(slots=True)
class PurgePlan:
    cutoff: datetime
    days: int
    item_ids: list[int] = field(default_factory=list)
    kept_referenced: int = 0  # eligible by age and outcome, kept because something refers to them
    dismissed_at: dict[int, datetime] = field(default_factory=dict)


@dataclass(slots=True)
class PurgeResult:
    items: int = 0
    captures: int = 0
    scores: int = 0
    decisions: int = 0
    payloads: int = 0


def external_refs(conn: Connection) -> list[ExternalRef]:
    """Foreign keys from tables this module does not manage into the ones it deletes from."""
    insp = inspect(conn)
    refs: list[ExternalRef] = []
    for table in insp.get_table_names():
        if table in _OWNED:
            continue
        for fk in insp.get_foreign_keys(table):
            referred = fk.get("referred_table")
            cols = fk.get("constrained_columns") or []
            if referred in _OWNED and len(cols) == 1:
                refs.append(ExternalRef(table, cols[0], referred))
    return refs


def _referenced_items(
    session: Session, refs: Sequence[ExternalRef], ids: Sequence[int]
) -> set[int]:
    """Which of these queue items something outside this module still refers to."""
    if not ids:
        return set()
    held: set[int] = set()
    for ref in refs:
        if ref.referred == "payloads":
            continue
        tbl, column = _q(session, ref.table), _q(session, ref.column)
        sql = f"SELECT DISTINCT {column} FROM {tbl} WHERE {column} IS NOT NULL"
        found = {r[0] for r in session.execute(text(sql))}
        if not found:
            continue
        if ref.referred == "queue_items":
            held |= {int(i) for i in found} & set(ids)
            continue
        # A reference to a capture, score or decision protects the item it belongs to.
        query: Select[Any]
        if ref.referred == "decisions":
            query = select(col(Decision.queue_item_id)).where(col(Decision.id).in_(found))
        else:
            query = (
                select(col(QueueItem.id))
                .join(
                    Capture,
                    and_(
                        col(Capture.platform) == col(QueueItem.platform),
                        col(Capture.post_id) == col(QueueItem.post_id),
                    ),
                )
                .where(col(QueueItem.id).in_(ids))
            )
            if ref.referred == "captures":
                query = query.where(col(Capture.id).in_(found))
            else:
                query = query.join(Score, col(Score.capture_id) == col(Capture.id)).where(
                    col(Score.id).in_(found)
                )
        held |= {int(r[0]) for r in session.execute(query)} & set(ids)
    return held


def _q(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote(name)


def _eligible(
    session: Session, cutoff: datetime, only: Iterable[int] | None = None
) -> dict[int, datetime]:
    """Items whose latest standing decision is not_hate, taken before ``cutoff``."""
    latest = (
        select(
            col(Decision.queue_item_id).label("item_id"),
            func.max(Decision.id).label("decision_id"),
        )
        .where(col(Decision.undone_at).is_(None))
        .group_by(col(Decision.queue_item_id))
        .subquery()
    )
    query = (
        select(col(QueueItem.id), col(Decision.created_at))
        .join(latest, latest.c.item_id == col(QueueItem.id))
        .join(Decision, col(Decision.id) == latest.c.decision_id)
        .where(
            col(QueueItem.status) == "decided",
            col(Decision.outcome) == "not_hate",
            col(Decision.created_at) < cutoff,
        )
        .order_by(col(QueueItem.id))
    )
    if only is not None:
        query = query.where(col(QueueItem.id).in_(list(only)))
    return {int(i): at for i, at in session.execute(query)}


def plan_purge(db: Database, *, days: int, now: datetime | None = None) -> PurgePlan:
    now = now or utcnow()
    plan = PurgePlan(cutoff=now - timedelta(days=days), days=days)
    with db.read() as session:
        eligible = _eligible(session, plan.cutoff)
        refs = external_refs(session.connection())
        held = _referenced_items(session, refs, list(eligible))
    plan.item_ids = [i for i in eligible if i not in held]
    plan.kept_referenced = len(held)
    plan.dismissed_at = {i: eligible[i] for i in plan.item_ids}
    return plan


def _purge_batch(
    session: Session, ids: list[int], refs: list[ExternalRef], plan: PurgePlan
) -> PurgeResult:
    items = list(session.exec(sm_select(QueueItem).where(col(QueueItem.id).in_(ids))).all())
    posts = [(i.platform, i.post_id) for i in items]
    cap_ids: list[int] = []
    shas: set[str] = set()
    for platform, post_id in posts:
        for cid, sha in session.execute(
            select(col(Capture.id), col(Capture.payload_sha256)).where(
                col(Capture.platform) == platform, col(Capture.post_id) == post_id
            )
        ):
            cap_ids.append(int(cid))
            if sha:
                shas.add(str(sha))
    res = PurgeResult(items=len(items), captures=len(cap_ids))
    decision_ids = [
        int(d)
        for d in session.execute(
            select(col(Decision.id)).where(col(Decision.queue_item_id).in_(ids))
        ).scalars()
    ]
    res.decisions = len(decision_ids)
    session.execute(delete(Decision).where(col(Decision.queue_item_id).in_(ids)))
    session.execute(delete(QueueItem).where(col(QueueItem.id).in_(ids)))
    res.scores = _count(session.execute(delete(Score).where(col(Score.capture_id).in_(cap_ids))))
    session.execute(delete(Capture).where(col(Capture.id).in_(cap_ids)))
    if shas:
        conditions: list[ColumnElement[bool] | Any] = [
            ~exists().where(col(Capture.payload_sha256) == col(Payload.sha256))
        ]
        for ref in refs:
            if ref.referred == "payloads":
                tbl, column = _q(session, ref.table), _q(session, ref.column)
                conditions.append(
                    text(f"NOT EXISTS (SELECT 1 FROM {tbl} WHERE {tbl}.{column} = payloads.sha256)")
                )
        res.payloads = _count(
            session.execute(delete(Payload).where(col(Payload.sha256).in_(shas), *conditions))
        )
    audit.record(
        session,
        actor="system:retention",
        action="retention.purge",
        object_type="queue_item",
        reason=f"retention rule {RULE}: dismissed as not hate more than {plan.days} days ago",
        details={
            "rule": RULE,
            "days": plan.days,
            "cutoff": plan.cutoff.isoformat(),
            "queue_item_ids": ids,
            "capture_ids": cap_ids,
            "decision_ids": decision_ids,
            "scores": res.scores,
            "payloads": res.payloads,
        },
    )
    return res


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def apply_retention(
    db: Database, *, days: int, now: datetime | None = None, batch: int = BATCH
) -> tuple[PurgePlan, PurgeResult]:
    """Purge what the rule allows, in batches (one transaction and one audit event each)."""
    plan = plan_purge(db, days=days, now=now)
    total = PurgeResult()
    for start in range(0, len(plan.item_ids), batch):
        chunk = plan.item_ids[start : start + batch]
        with db.write() as session:
            # Re-check inside the write transaction: an undo or a new case link since planning
            # keeps the item.
            still = _eligible(session, plan.cutoff, chunk)
            refs = external_refs(session.connection())
            held = _referenced_items(session, refs, list(still))
            ids = [i for i in chunk if i in still and i not in held]
            if not ids:
                continue
            done = _purge_batch(session, ids, refs, plan)
        for name in ("items", "captures", "scores", "decisions", "payloads"):
            setattr(total, name, getattr(total, name) + getattr(done, name))
    if total.items:
        log.info(
            "retention: purged %d dismissed item(s), %d capture(s) (rule %s, %d days)",
            total.items,
            total.captures,
            RULE,
            days,
        )
    return plan, total
