"""Intelligence submissions in the force's format: the 3x5x2 grading.

An item decided "Hate - intelligence" becomes a submission the officer pastes into, or attaches
to, the force's intelligence system: the College of Policing's 3x5x2 grading (source
evaluation 1-3, intelligence assessment A-E, handling code P or C with its conditions), the
text, where and when it was captured, its SHA-256, and who graded it. Handing it over is a
disclosure (DPA 2018 s62), so producing one is audited like an evidence pack; nothing about it is
stored beyond the audit event, because the force's system, not this tool, keeps intelligence.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Final

from sqlmodel import Session, col, select

from monitor.audit import chain as audit
from monitor.cases.lifecycle import CaseError, require_worker
from monitor.review import vocabulary
from monitor.storage.tables.accounts import User
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.review import Decision, QueueItem

SOURCE_EVALUATIONS: Final[dict[str, str]] = {
    "1": "Reliable",
    "2": "Untested",
    "3": "Not reliable",
}
ASSESSMENTS: Final[dict[str, str]] = {
    "A": "Known to be true without reservation",
    "B": "Known personally to the source but not to the officer",
    "C": "Not known personally to the source, but corroborated",
    "D": "Cannot be judged",
    "E": "Suspected to be false or malicious",
}
HANDLING: Final[dict[str, str]] = {
    "P": "Lawful sharing permitted",
    "C": "Lawful sharing permitted with conditions",
}
FORMATS: Final = ("html", "json", "csv")
MAX_FIELD = 2000


@dataclass(frozen=True, slots=True)
class Grading:
    source: str
    assessment: str
    handling: str
    conditions: str = ""

    @property
    def code(self) -> str:
        return f"{self.source}/{self.assessment}/{self.handling}"


def parse_grading(source: str, assessment: str, handling: str, conditions: str
                  ) -> tuple[Grading | None, dict[str, str]]:
    """The grading from form values, or the errors by field name."""
    errors: dict[str, str] = {}
    source, assessment = source.strip(), assessment.strip().upper()
    handling, conditions = handling.strip().upper(), conditions.strip()
    if source not in SOURCE_EVALUATIONS:
        errors["source"] = "choose a source evaluation: 1, 2 or 3"
    if assessment not in ASSESSMENTS:
        errors["assessment"] = "choose an intelligence assessment: A, B, C, D or E"
    if handling not in HANDLING:
        errors["handling"] = "choose a handling code: P or C"
    elif handling == "C" and not conditions:
        errors["conditions"] = "handling code C needs its conditions"
    if len(conditions) > MAX_FIELD:
        errors["conditions"] = f"keep the conditions under {MAX_FIELD} characters"
    if errors:
        return None, errors
    return Grading(source, assessment, handling, conditions if handling == "C" else ""), {}


@dataclass(frozen=True, slots=True)
class Submission:
    item_id: int
    grading: Grading
    text: str
    summary: str
    strands: tuple[str, ...]
    platform: str
    url: str
    author_handle: str
    posted_at: datetime
    captured_at: datetime
    raw_sha256: str
    graded_by: str
    graded_at: datetime
    recipient: str

    def rows(self) -> list[tuple[str, str]]:
        """Field and value, in the order the force's form asks for them, for people."""
        g = self.grading
        return [
            ("Grading (3x5x2)", g.code),
            ("Source evaluation", f"{g.source}: {SOURCE_EVALUATIONS[g.source]}"),
            ("Intelligence assessment", f"{g.assessment}: {ASSESSMENTS[g.assessment]}"),
            ("Handling code", f"{g.handling}: {HANDLING[g.handling]}"),
            ("Handling conditions", g.conditions or "none"),
            ("Strands", vocabulary.labels("strand", self.strands)),
            ("Officer's summary", self.summary),
            ("Text as captured", self.text),
            ("Where", f"{self.platform}: {self.url} (author {self.author_handle})"),
            ("Posted", vocabulary.when(self.posted_at)),
            ("Captured", vocabulary.when(self.captured_at)),
            ("SHA-256 of the capture", self.raw_sha256),
            ("Graded by", f"{self.graded_by}, {vocabulary.when(self.graded_at)}"),
            ("Recipient", self.recipient),
            ("Desk item", str(self.item_id)),
        ]

    def as_json(self) -> bytes:
        doc: dict[str, Any] = asdict(self)
        doc["grading"] = {**asdict(self.grading), "code": self.grading.code}
        for key in ("posted_at", "captured_at", "graded_at"):
            doc[key] = getattr(self, key).isoformat(timespec="seconds")
        return json.dumps(doc, indent=2, ensure_ascii=False).encode()

    def as_csv(self) -> bytes:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow([name for name, _ in self.rows()])
        writer.writerow([value for _, value in self.rows()])
        return buf.getvalue().encode("utf-8-sig")  # Excel reads UTF-8 only with the BOM


def intelligence_decision(session: Session, item_id: int) -> Decision | None:
    """The standing "Hate - intelligence" decision on the item, if there is one."""
    return session.exec(
        select(Decision)
        .where(Decision.queue_item_id == item_id, Decision.outcome == "hate_intelligence",
               col(Decision.undone_at).is_(None))
        .order_by(col(Decision.id).desc())
    ).first()


def _clean(value: str, field: str, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise CaseError(field, "required: handing over intelligence is a disclosure, logged "
                               "with its recipient and justification (DPA 2018 s62)")
    if len(value) > MAX_FIELD:
        raise CaseError(field, f"keep it under {MAX_FIELD} characters")
    return value


def build_submission(
    session: Session, *, actor: User, item_id: int, grading: Grading, summary: str,
    recipient: str, justification: str, fmt: str, now: datetime,
) -> tuple[Submission, bytes]:
    """Assemble the submission in ``fmt`` and record the disclosure, inside the caller's write
    transaction; a CaseError names the field at fault."""
    require_worker(actor)
    if fmt not in FORMATS:
        raise CaseError("format", f"format must be one of {', '.join(FORMATS)}")
    recipient = _clean(recipient, "recipient")
    justification = _clean(justification, "justification")
    summary = _clean(summary, "summary", required=False)
    item = session.get(QueueItem, item_id)
    if item is None:
        raise CaseError("item", f"there is no queue item {item_id}")
    decision = intelligence_decision(session, item_id)
    if decision is None:
        raise CaseError("item", "only an item decided \"Hate - intelligence\" becomes an "
                                "intelligence submission; record that decision first")
    capture = session.get(Capture, item.capture_id)
    if capture is None:  # pragma: no cover - a queue item always has its capture
        raise CaseError("item", f"item {item_id} has no capture")
    sub = Submission(
        item_id=item_id, grading=grading, text=capture.text,
        summary=summary or decision.rationale, strands=tuple(decision.strands),
        platform=capture.platform, url=capture.url, author_handle=capture.author_handle,
        posted_at=capture.created_at, captured_at=capture.captured_at,
        raw_sha256=capture.raw_sha256, graded_by=actor.username, graded_at=now,
        recipient=recipient,
    )
    body = sub.as_json() if fmt == "json" else sub.as_csv() if fmt == "csv" else b""
    audit.record(
        session, actor=actor.username, action="disclosure", object_type="queue_item",
        object_id=item_id, reason=justification,
        details={"kind": "intelligence_submission", "recipient": recipient,
                 "grading": grading.code, "conditions": grading.conditions, "format": fmt,
                 "capture_id": capture.id, "raw_sha256": capture.raw_sha256,
                 "submission_sha256": hashlib.sha256(sub.as_json()).hexdigest()},
    )
    return sub, body
