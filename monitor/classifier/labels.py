"""Labels for retraining from officer decisions."""

from __future__ import annotations

from sqlmodel import col, select

from models.data.base import Example
from monitor.classifier import versions as reg
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.review import Decision


def decision_examples(db: Database) -> list[Example]:
    """Officer decisions in force as training rows: not_hate → 0, hate outcomes → 1."""
    labels = reg.decided_labels(db)
    rows: list[Example] = []
    with db.read() as session:
        strands: dict[int, list[str]] = {}
        for d in session.exec(select(Decision).where(col(Decision.undone_at).is_(None))):
            strands[d.capture_id] = list(d.strands)
        for cap in session.exec(select(Capture).where(col(Capture.id).in_(list(labels)))):
            cid = int(cap.id or 0)
            rows.append(Example(cap.text, labels[cid], "decisions",
                                tuple(strands.get(cid, [])) if labels[cid] else ()))
    return rows
