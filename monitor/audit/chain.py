"""The append-only, hash-chained audit trail (DPA 2018 Part 3 s62 logging).

Every event stores the hash of the one before it, so an independent person can check that no
event was altered, removed or inserted after the fact (``hate-monitor audit verify``). The
database also refuses UPDATE and DELETE on the table (triggers in the first migration).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from monitor.storage.tables.ops import AuditEvent
from monitor.storage.types import utcnow

GENESIS = "0" * 64
# Any constant works; it keeps the PostgreSQL advisory lock for the chain apart from others.
_CHAIN_LOCK_KEY = 0x4155444954


def _canonical(
    *,
    prev_hash: str,
    created_at: datetime,
    actor: str,
    action: str,
    object_type: str | None,
    object_id: str | None,
    reason: str | None,
    details: dict[str, Any],
) -> bytes:
    body = {
        "prev": prev_hash,
        "at": created_at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "details": details,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(
        _canonical(
            prev_hash=event.prev_hash,
            created_at=event.created_at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            reason=event.reason,
            details=event.details,
        )
    ).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event inside the caller's write transaction (so it commits with the change)."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise chain appends across processes; released at commit.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    last = session.exec(
        select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    # JSON round trip now, so the hash covers exactly what the database will return.
    clean_details = json.loads(json.dumps(details or {}, default=str))
    event = AuditEvent(
        created_at=utcnow(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        reason=reason,
        details=clean_details,
        prev_hash=last or GENESIS,
        hash="",
    )
    event.hash = event_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None


def verify(session: Session, *, batch: int = 5000) -> ChainReport:
    """Walk the chain in id order and recompute every hash."""
    prev = GENESIS
    count = 0
    last_id = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            return ChainReport(ok=True, events=count)
        for ev in rows:
            count += 1
            if ev.prev_hash != prev:
                return ChainReport(False, count, ev.id, "prev_hash does not match the event before")
            if event_hash(ev) != ev.hash:
                return ChainReport(False, count, ev.id, "hash does not match the event's contents")
            prev = ev.hash
            last_id = ev.id or last_id
