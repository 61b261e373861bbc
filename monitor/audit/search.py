"""Searching and exporting the audit chain for the admin's audit log viewer."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent

PAGE = 100
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None  # inclusive

    def query(self) -> dict[str, str]:
        """Back to URL parameters, so filters survive paging and the CSV link."""
        return {k: v for k, v in (
            ("actor", self.actor), ("action", self.action), ("object_type", self.object_type),
            ("object_id", self.object_id),
            ("since", self.since.isoformat() if self.since else ""),
            ("until", self.until.isoformat() if self.until else ""),
        ) if v}


def parse_filter(params: Mapping[str, str]) -> tuple[AuditFilter, dict[str, str]]:
    """Filters from a query string, and an error per field that could not be read."""
    errors: dict[str, str] = {}
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        raw = params.get(name, "").strip()
        days[name] = None
        if raw:
            try:
                days[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = f"{raw!r} is not a date like 2026-11-28"
    f = AuditFilter(
        actor=params.get("actor", "").strip()[:120],
        action=params.get("action", "").strip()[:64],
        object_type=params.get("object_type", "").strip()[:32],
        object_id=params.get("object_id", "").strip()[:255],
        since=days["since"], until=days["until"],
    )
    return f, errors


def _select(f: AuditFilter) -> Any:
    q = select(AuditEvent)
    if f.actor:
        q = q.where(AuditEvent.actor == f.actor)
    if f.action:
        # "case" matches case.create, case.status...: actions are dotted families.
        q = q.where((col(AuditEvent.action) == f.action)
                    | col(AuditEvent.action).startswith(f.action + "."))
    if f.object_type:
        q = q.where(AuditEvent.object_type == f.object_type)
    if f.object_id:
        q = q.where(AuditEvent.object_id == f.object_id)
    if f.since:
        q = q.where(col(AuditEvent.created_at) >= datetime.combine(f.since, time(), UTC))
    if f.until:
        end = datetime.combine(f.until + timedelta(days=1), time(), UTC)
        q = q.where(col(AuditEvent.created_at) < end)
    return q


def search(
    session: Session, f: AuditFilter, *, before_id: int | None = None, limit: int = PAGE
) -> list[AuditEvent]:
    """Newest first, a page at a time (keyset on id, so deep pages cost the same)."""
    q = _select(f)
    if before_id is not None:
        q = q.where(col(AuditEvent.id) < before_id)
    return list(session.exec(q.order_by(col(AuditEvent.id).desc()).limit(limit)).all())


def actions(session: Session) -> list[str]:
    return sorted(str(a) for a in session.exec(select(AuditEvent.action).distinct()).all())


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in _FORMULA else text


def iter_csv(session: Session, f: AuditFilter, *, batch: int = 2000) -> Iterator[str]:
    """Every matching event, oldest first, with both hashes so the export can be re-checked."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["id", "created_at", "actor", "action", "object_type", "object_id", "reason",
                "details", "prev_hash", "hash"])
    last = 0
    while True:
        rows = session.exec(_select(f).where(col(AuditEvent.id) > last)
                            .order_by(col(AuditEvent.id)).limit(batch)).all()
        for ev in rows:
            w.writerow([ev.id, ev.created_at.isoformat(), _cell(ev.actor), _cell(ev.action),
                        _cell(ev.object_type), _cell(ev.object_id), _cell(ev.reason),
                        _cell(json.dumps(ev.details, sort_keys=True, ensure_ascii=False)),
                        ev.prev_hash, ev.hash])
            last = ev.id or last
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
        if len(rows) < batch:
            return


def latest(session: Session, limit: int) -> list[AuditEvent]:
    """The most recent ``limit`` events, oldest first."""
    rows = session.exec(
        select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    ).all()
    return list(reversed(rows))


def export_csv(db: Database, f: AuditFilter, *, actor: str) -> str:
    """The filtered log as CSV; handing the log out is itself logged, with the filter used."""
    with db.write() as s:
        audit.record(s, actor=actor, action="audit.export", object_type="audit_log",
                     details={"filter": f.query()})
    with db.read() as s:
        return "".join(iter_csv(s, f))
