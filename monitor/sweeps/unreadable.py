"""A source's "could not read" list: keeping what a sweep could not read, reading it again after
a parser upgrade, and the audited acknowledgement that someone has looked at what was lost.

The sweep calls ``keep`` for a page's unreadable items *before* it stores the page's cursor, so
an item is on the list before the walk's mark moves past it. The same raw bytes seen again (a
listing re-read, an unpinned item) update the row rather than adding one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from connectors.base import Unreadable
from connectors.post import sha256_hex
from monitor import tool_version
from monitor.audit import chain as audit
from monitor.sources import store
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.storage.tables.unreadable import UnreadableItem
from monitor.storage.types import utcnow

MAX_LOSS_NOTE = 2000


def keep(db: Database, source_id: int, platform: str, items: Sequence[Unreadable]) -> int:
    """Put these items on the source's list (or note them seen again); returns how many are new."""
    if not items:
        return 0
    now = utcnow()
    added = 0
    with db.write() as session:
        for item in items:
            sha = sha256_hex(item.raw)
            row = session.exec(select(UnreadableItem).where(
                UnreadableItem.source_id == source_id, UnreadableItem.raw_sha256 == sha)).first()
            if row is not None:
                row.last_seen_at = now
                row.times_seen += 1
                session.add(row)
                continue
            session.add(UnreadableItem(
                source_id=source_id, platform=platform, item_key=(item.key or None) and
                item.key[:255], reason=item.reason, raw=item.raw, raw_sha256=sha,
                raw_content_type=item.content_type, response_url=item.response_url,
                tool_version=tool_version(), first_seen_at=now, last_seen_at=now))
            added += 1
    return added


def open_items(session: Session, source_id: int, *, limit: int | None = None
               ) -> list[UnreadableItem]:
    """The source's items not yet read, oldest first."""
    query = (select(UnreadableItem)
             .where(UnreadableItem.source_id == source_id,
                    col(UnreadableItem.resolved_at).is_(None))
             .order_by(col(UnreadableItem.id)))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query).all())


def open_list(db: Database, source_id: int) -> list[UnreadableItem]:
    with db.read() as session:
        return open_items(session, source_id)


def recently_read(session: Session, source_id: int, *, limit: int = 20) -> list[UnreadableItem]:
    """Items of the list that a later parser has read, newest first."""
    return list(session.exec(
        select(UnreadableItem)
        .where(UnreadableItem.source_id == source_id,
               col(UnreadableItem.resolved_at).is_not(None))
        .order_by(col(UnreadableItem.resolved_at).desc()).limit(limit)).all())


def as_unreadable(row: UnreadableItem) -> Unreadable:
    return Unreadable(row.raw, row.reason, row.item_key, row.raw_content_type, row.response_url)


def resolve(db: Database, item_id: int, post_ids: Sequence[str]) -> None:
    """The item was read (by this version) as these posts, now stored."""
    with db.write() as session:
        row = session.get(UnreadableItem, item_id)
        if row is None:
            return
        row.attempts += 1
        row.resolved_at = utcnow()
        row.resolution = f"read by {tool_version()} as {', '.join(post_ids) or 'no post'}"[:2000]
        session.add(row)


def still_unreadable(db: Database, item_id: int, reason: str) -> None:
    with db.write() as session:
        row = session.get(UnreadableItem, item_id)
        if row is None:
            return
        row.attempts += 1
        row.reason = reason[:2000]
        session.add(row)


@dataclass(frozen=True, slots=True)
class Loss:
    """What one sweep could not read, for the source's "needs attention"."""

    skipped: int = 0
    unreadable: int = 0
    undated: int = 0
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.skipped or self.unreadable or self.undated)

    def summary(self) -> str:
        parts = []
        if self.skipped:
            parts.append(f"{self.skipped} item(s) could not be read (kept on the could-not-read "
                         "list)")
        if self.unreadable:
            parts.append(f"{self.unreadable} response(s) could not be read whole")
        if self.undated:
            parts.append(f"{self.undated} post(s) stored with their date unknown")
        text = "; ".join(parts)
        return f"{text}: {' | '.join(self.notes)}" if self.notes else text


def note_loss(src: Source, loss: Loss, when: str) -> None:
    """Add this sweep's loss to what awaits acknowledgement (newest first, bounded)."""
    line = f"{when}: {loss.summary()}"
    earlier = src.unacknowledged_loss
    src.unacknowledged_loss = (line + ("\n" + earlier if earlier else ""))[:MAX_LOSS_NOTE]


def acknowledge(session: Session, source_id: int, *, actor: str, note: str = "") -> bool:
    """Someone has looked at what the source's sweeps lost: clear "needs attention" (audited,
    with what was acknowledged). False when there was nothing to acknowledge."""
    src = session.get(Source, source_id)
    if src is None or not src.unacknowledged_loss:
        return False
    audit.record(session, actor=actor, action="source.acknowledge_loss", object_type="source",
                 object_id=source_id, reason=note.strip()[:500] or None,
                 details={"name": src.name, "acknowledged": src.unacknowledged_loss,
                          "open_items": len(open_items(session, source_id))})
    src.unacknowledged_loss = None
    src.updated_at = utcnow()
    session.add(src)
    return True


def acknowledge_loss(db: Database, source_id: int, *, actor: str, note: str = "") -> bool:
    """``acknowledge`` in its own transaction; ``store.UnknownSource`` for a missing source."""
    with db.write() as session:
        store.source_by_id(session, source_id)
        return acknowledge(session, source_id, actor=actor, note=note)


def for_page(db: Database, source_id: int, *, shown: int = 50) -> dict[str, Any]:
    """What the source page shows: the open items (the oldest ``shown``), their number, and the
    items a later parser has read."""
    with db.read() as session:
        rows = open_items(session, source_id)
        return {"open": rows[:shown], "open_count": len(rows),
                "read": recently_read(session, source_id)}
