"""The append-only, hash-chained audit trail (DPA 2018 Part 3 s62 logging).

Every event stores the hash of the one before it, so an independent person can check that no
event was altered, removed or inserted after the fact (``hate-monitor audit verify``). The
database also refuses UPDATE and DELETE on the table (triggers in the first migration).

A plain hash chain cannot stop someone who can write to the database from rewriting it whole:
edit one event, recompute every later hash, and it verifies. So the chain is keyed: with
``HATE_MONITOR_AUDIT_KEY`` in the environment (never in the database or the config file), each
new event's hash is an HMAC-SHA256 under that key and the event records the key's id. Events
with no key id (written before a key was set, or in development without one) verify as plain
SHA-256 as before; once a keyed event exists, an unkeyed one after it breaks the chain, so the
key cannot be dropped to forge a tail. Production refuses to start without a key
(``monitor.config``). Cutting the end off the chain, or rewriting it from the first event, is
caught by sealing the head outside the database (``monitor.audit.seal``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from monitor.config import AUDIT_KEY_ENV, MIN_AUDIT_KEY_LENGTH
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.types import utcnow

GENESIS = "0" * 64
# Any constant works; it keeps the PostgreSQL advisory lock for the chain apart from others.
_CHAIN_LOCK_KEY = 0x4155444954

KEY_ENV = AUDIT_KEY_ENV
MIN_KEY_LENGTH = MIN_AUDIT_KEY_LENGTH


class AuditKeyError(Exception):
    """The audit key is unusable, or the chain needs a key this process does not have."""


@dataclass(frozen=True, slots=True)
class AuditKey:
    secret: bytes = field(repr=False)
    id: str

    def __repr__(self) -> str:  # the secret must never reach a log or a traceback
        return f"AuditKey(id={self.id!r})"


def audit_key(env: Mapping[str, str] | None = None) -> AuditKey | None:
    """The key from ``HATE_MONITOR_AUDIT_KEY``, or None when it is unset."""
    raw = (os.environ if env is None else env).get(KEY_ENV, "")
    if not raw:
        return None
    if len(raw) < MIN_KEY_LENGTH:
        raise AuditKeyError(
            f"{KEY_ENV} is too short: use at least {MIN_KEY_LENGTH} random characters "
            "(e.g. python -c 'import secrets; print(secrets.token_hex(32))')"
        )
    secret = raw.encode()
    # A public name for the key: lets verify say which key an event needs without revealing it.
    key_id = hashlib.sha256(b"hate-monitor audit key id\0" + secret).hexdigest()[:16]
    return AuditKey(secret, key_id)


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
    key_id: str | None = None,
) -> bytes:
    body: dict[str, Any] = {
        "prev": prev_hash,
        "at": created_at.isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "details": details,
    }
    if key_id is not None:  # unkeyed events keep exactly the body they were hashed with
        body["key"] = key_id
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def event_hash(event: AuditEvent, key: AuditKey | None = None) -> str:
    """The event's hash: HMAC-SHA256 under ``key`` when the event has a key id, else SHA-256."""
    body = _canonical(
        prev_hash=event.prev_hash,
        created_at=event.created_at,
        actor=event.actor,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        reason=event.reason,
        details=event.details,
        key_id=event.key_id,
    )
    if event.key_id is None:
        return hashlib.sha256(body).hexdigest()
    if key is None or key.id != event.key_id:
        raise AuditKeyError(
            f"event {event.id} was hashed with audit key {event.key_id}; set {KEY_ENV} to that "
            "key to check it"
        )
    return hmac.new(key.secret, body, hashlib.sha256).hexdigest()


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
    key = audit_key()
    last_row = session.exec(
        select(AuditEvent.hash, AuditEvent.key_id).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    last = last_row[0] if last_row else None
    if key is None and last_row is not None and last_row[1] is not None:
        # Writing unkeyed after keyed events would break the chain for good: refuse instead.
        raise AuditKeyError(
            f"the audit chain is keyed (key {last_row[1]}) but {KEY_ENV} is not set"
        )
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
        key_id=None if key is None else key.id,
    )
    event.hash = event_hash(event, key)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True, slots=True)
class ChainReport:
    ok: bool
    events: int
    first_bad_id: int | None = None
    problem: str | None = None
    keyed: int = 0
    head_id: int | None = None
    head_hash: str | None = None


def verify(
    session: Session, *, batch: int = 5000, key: AuditKey | bool | None = True
) -> ChainReport:
    """Walk the chain in id order and recompute every hash (``key=True``: the environment's)."""
    use_key = audit_key() if key is True else (key if isinstance(key, AuditKey) else None)
    prev = GENESIS
    count = 0
    keyed = 0
    last_id = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            return ChainReport(True, count, keyed=keyed, head_id=last_id or None,
                               head_hash=None if prev == GENESIS else prev)
        for ev in rows:
            count += 1
            if ev.prev_hash != prev:
                return ChainReport(False, count, ev.id, "prev_hash does not match the event before")
            if ev.key_id is None and keyed:
                return ChainReport(False, count, ev.id, "unkeyed event after keyed events")
            try:
                expected = event_hash(ev, use_key)
            except AuditKeyError as err:
                return ChainReport(False, count, ev.id, str(err))
            if not hmac.compare_digest(expected, ev.hash):
                return ChainReport(False, count, ev.id, "hash does not match the event's contents")
            keyed += ev.key_id is not None
            prev = ev.hash
            last_id = ev.id or last_id
