"""The open queue as the shell shows it (``hate-monitor queue``)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.review import QueueItem


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    priority: float
    p_hate: float
    strand: str | None
    severity: str
    platform: str
    url: str
    text: str
    post_id: str
    language_supported: bool

    def snippet(self, width: int = 80) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= width else flat[: width - 1] + "…"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def open_queue(session: Session, *, limit: int) -> list[QueueRow]:
    rows = session.exec(
        select(QueueItem, Capture)
        .join(Capture, col(Capture.id) == QueueItem.capture_id)
        .where(QueueItem.status == "open")
        .order_by(col(QueueItem.priority).desc(), col(QueueItem.id))
        .limit(limit)
    ).all()
    return [
        QueueRow(
            id=item.id or 0,
            priority=item.priority,
            p_hate=item.p_hate,
            strand=item.top_strand if item.language_supported else None,
            severity=item.severity,
            platform=item.platform,
            url=cap.url,
            text=cap.text,
            post_id=item.post_id,
            language_supported=item.language_supported,
        )
        for item, cap in rows
    ]
