"""Queue queries for the review desk: filters, keyset pages, near-duplicate groups, claims.

Pages use keyset pagination on (priority desc, id desc): the cursor is the last row's key, so a
page costs the same however deep the officer scrolls, and nothing counts the whole table.
Near-duplicates (same ``text_sha256``, see ``pipeline.text_fingerprint``) collapse into the
group's highest-ranked item; only the groups on the page are counted.

Claiming is one conditional UPDATE (free, mine, or expired → mine). SQLite serialises writers
(``BEGIN IMMEDIATE``) and PostgreSQL re-checks the WHERE clause after a row lock, so two officers
racing for one item cannot both win on either backend.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from models.types import SEVERITIES
from monitor.audit import chain as audit
from monitor.review import vocabulary
from monitor.storage.tables.accounts import User
from monitor.storage.tables.evidence import Capture, Score
from monitor.storage.tables.review import QueueItem
from monitor.storage.tables.sources import Source
from monitor.storage.types import EARLIEST_DAY, LATEST_DAY, parse_day, parse_id

STATUSES = ("open", "decided", "escalated", "all")
PAGE_SIZE = 50
CLAIM_MINUTES = 10
PREVIEW_CHARS = 280

QueueAlias = Any  # QueueItem or an aliased QueueItem; SQLAlchemy's alias type is not generic


@dataclass(frozen=True, slots=True)
class QueueFilters:
    """What the officer narrowed the queue to; round-trips through the URL query."""

    status: str = "open"
    strand: str | None = None
    severity: str | None = None
    platform: str | None = None
    source_id: int | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: date | None = None
    until: date | None = None

    def to_query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.status != "open":
            out["status"] = self.status
        for key in ("strand", "severity", "platform"):
            value = getattr(self, key)
            if value:
                out[key] = value
        if self.source_id is not None:
            out["source"] = str(self.source_id)
        if self.min_score is not None:
            out["min_score"] = f"{self.min_score:g}"
        if self.max_score is not None:
            out["max_score"] = f"{self.max_score:g}"
        if self.since is not None:
            out["since"] = self.since.isoformat()
        if self.until is not None:
            out["until"] = self.until.isoformat()
        return out


def parse_filters(query: Mapping[str, str], *, strands: Sequence[str] | None = None
                  ) -> tuple[QueueFilters, dict[str, str]]:
    """Filters from a URL query; a bad value is dropped and explained, the rest still apply.

    ``strands``, when given, are the strands the desk offers: one outside them (a typo in a
    bookmarked link) would otherwise show an empty queue with no reason. Platforms stay free
    text: imported posts may carry any platform name.
    """
    errors: dict[str, str] = {}
    kw: dict[str, Any] = {}
    status = query.get("status", "open") or "open"
    if status in STATUSES:
        kw["status"] = status
    else:
        errors["status"] = f"status must be one of {', '.join(STATUSES)}"
    for key in ("strand", "platform"):
        value = (query.get(key) or "").strip()[:64]
        if value:
            kw[key] = value
    if strands is not None and kw.get("strand", strands[0]) not in strands:
        errors["strand"] = f"strand must be one of {', '.join(strands)}"
        del kw["strand"]
    severity = query.get("severity") or ""
    if severity in SEVERITIES:
        kw["severity"] = severity
    elif severity:
        errors["severity"] = f"severity must be one of {', '.join(SEVERITIES)}"
    source = query.get("source") or ""
    source_id = parse_id(source)
    if source_id is not None:
        kw["source_id"] = source_id
    elif source:
        errors["source"] = "source must be a source number"
    for key in ("min_score", "max_score"):
        raw = query.get(key) or ""
        if raw:
            try:
                number = float(raw)
            except ValueError:
                number = -1.0
            if 0.0 <= number <= 1.0:
                kw[key] = number
            else:
                errors[key] = "score must be a number between 0 and 1"
    for key in ("since", "until"):
        raw = query.get(key) or ""
        if raw:
            day = parse_day(raw)
            if day is not None:
                kw[key] = day
            else:
                errors[key] = (f"date must look like 2026-11-28, between {EARLIEST_DAY} and "
                               f"{LATEST_DAY}")
    return QueueFilters(**kw), errors


def _conditions(
    q: QueueAlias, f: QueueFilters, *, by_text: bool = False
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if f.status != "all":
        # by_text: inside the duplicate-group subquery, wrapping status keeps the planner off the
        # (status, priority) index so it looks rows up by text_sha256, which is far more
        # selective (otherwise deep pages turn quadratic on SQLite).
        status = func.coalesce(q.status, "") if by_text else q.status
        conds.append(status == f.status)
    if f.strand:
        conds.append(q.top_strand == f.strand)
    if f.severity:
        conds.append(q.severity == f.severity)
    if f.platform:
        conds.append(q.platform == f.platform)
    if f.source_id is not None:
        conds.append(q.source_id == f.source_id)
    if f.min_score is not None:
        conds.append(q.p_hate >= f.min_score)
    if f.max_score is not None:
        conds.append(q.p_hate <= f.max_score)
    if f.since is not None:
        conds.append(q.created_at >= datetime.combine(f.since, time.min, UTC))
    if f.until is not None:
        conds.append(q.created_at < datetime.combine(f.until + timedelta(days=1), time.min, UTC))
    return conds


def _ranks_above(
    q: QueueAlias, priority: Any, item_id: Any, *, ranged: bool = True
) -> ColumnElement[bool]:
    """``q`` comes before (priority, item_id) in queue order.

    ``ranged`` adds a redundant ``>=`` that gives the planner a range on the (status, priority)
    index for keyset pages. Inside the duplicate-group subquery it must stay off: there the
    ``text_sha256`` index is the selective one, and the range would tempt SQLite into scanning
    every higher-ranked item for every row (quadratic on deep pages)."""
    strict = or_(q.priority > priority, and_(q.priority == priority, q.id > item_id))
    return and_(q.priority >= priority, strict) if ranged else strict


def _ranks_below(q: QueueAlias, priority: Any, item_id: Any) -> ColumnElement[bool]:
    return and_(q.priority <= priority,
                or_(q.priority < priority, and_(q.priority == priority, q.id < item_id)))


def encode_cursor(priority: float, item_id: int) -> str:
    return f"{priority!r}_{item_id}"


def decode_cursor(cursor: str | None) -> tuple[float, int] | None:
    if not cursor:
        return None
    head, _, tail = cursor.rpartition("_")
    try:
        return float(head), int(tail)
    except ValueError:
        return None


_AGAINST = re.compile(r"\bagainst ([a-z][a-z_]*)")


def why_flagged(
    explanation: Mapping[str, Any], severity: str, strand: str | None, p_hate: float
) -> str:
    """One line for the queue row: the model's own summary when it gives one."""
    for key in ("summary", "why", "reason"):
        value = explanation.get(key)
        if isinstance(value, str) and value.strip():
            # The model writes its codes ("against sexual_orientation"); people read labels.
            return _AGAINST.sub(lambda m: "against " + vocabulary.label("strand", m.group(1)),
                                value.strip())[:200]
    reasons = explanation.get("reasons")
    if isinstance(reasons, list) and reasons:
        return "; ".join(str(r) for r in reasons[:3])[:200]
    if severity == "none" and p_hate < 0.5:
        # A top strand of a post the model finds harmless means nothing; do not suggest it does.
        return "no strong signal"
    label = vocabulary.label("strand", strand, empty="")
    parts = [p for p in (vocabulary.label("severity", severity) if severity != "none" else "",
                         label) if p]
    return ", ".join(parts) if parts else "score only"


@dataclass(frozen=True, slots=True)
class QueueRow:
    item_id: int
    priority: float
    p_hate: float
    top_strand: str | None
    severity: str
    platform: str
    source_name: str | None
    author_handle: str
    posted_at: datetime
    queued_at: datetime
    status: str
    language_supported: bool
    why: str
    preview: str
    text_sha256: str | None
    assignee: str | None
    claimed_until: datetime | None
    group_size: int = 1


@dataclass(frozen=True, slots=True)
class QueuePage:
    rows: list[QueueRow]
    next_cursor: str | None
    filters: QueueFilters
    errors: dict[str, str] = field(default_factory=dict)


def list_queue(
    session: Session, filters: QueueFilters, *, after: str | None = None, limit: int = PAGE_SIZE
) -> QueuePage:
    q = QueueItem
    other = aliased(QueueItem)
    conds = _conditions(q, filters)
    # Only the highest-ranked member of each near-duplicate group (among the filtered items).
    conds.append(
        or_(
            col(q.text_sha256).is_(None),
            ~exists().where(
                col(other.text_sha256) == q.text_sha256,
                *_conditions(other, filters, by_text=True),
                _ranks_above(other, q.priority, q.id, ranged=False),
            ),
        )
    )
    key = decode_cursor(after)
    if key is not None:
        conds.append(_ranks_below(q, key[0], key[1]))
    stmt = (
        select(q, Capture.text, Capture.created_at, Score.explanation)
        .join(Capture, col(Capture.id) == q.capture_id)
        .outerjoin(Score, col(Score.id) == q.score_id)
        .where(*conds)
        .order_by(col(q.priority).desc(), col(q.id).desc())
        .limit(limit + 1)
    )
    found = session.exec(stmt).all()
    more = len(found) > limit
    found = found[:limit]
    shas = [r[0].text_sha256 for r in found if r[0].text_sha256]
    sizes: dict[str, int] = {}
    if shas:
        count_rows = session.exec(
            select(q.text_sha256, func.count())
            .where(col(q.text_sha256).in_(shas), *_conditions(q, filters))
            .group_by(q.text_sha256)
        ).all()
        sizes = {str(sha): int(n) for sha, n in count_rows}
    sources = _names(session, Source, {r[0].source_id for r in found if r[0].source_id})
    users = _names(session, User, {r[0].assignee_id for r in found if r[0].assignee_id})
    rows = []
    for item, text, posted, explanation in found:
        rows.append(
            QueueRow(
                item_id=item.id or 0,
                priority=item.priority,
                p_hate=item.p_hate,
                top_strand=item.top_strand,
                severity=item.severity,
                platform=item.platform,
                source_name=sources.get(item.source_id or 0),
                author_handle=item.author_handle,
                posted_at=posted,
                queued_at=item.created_at,
                status=item.status,
                language_supported=item.language_supported,
                why=why_flagged(explanation or {}, item.severity, item.top_strand,
                                item.p_hate),
                preview=text[:PREVIEW_CHARS],
                text_sha256=item.text_sha256,
                assignee=users.get(item.assignee_id or 0),
                claimed_until=item.claimed_until,
                group_size=sizes.get(item.text_sha256 or "", 1),
            )
        )
    last = found[-1][0] if found and more else None
    cursor = encode_cursor(last.priority, last.id or 0) if last is not None else None
    return QueuePage(rows=rows, next_cursor=cursor, filters=filters)


def _names(session: Session, table: type[Source] | type[User], ids: set[Any]) -> dict[int, str]:
    if not ids:
        return {}
    name = Source.name if table is Source else User.username
    rows = session.exec(select(table.id, name).where(col(table.id).in_(ids))).all()
    return {int(i or 0): str(n) for i, n in rows}


def source_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(select(Source.id, Source.name).order_by(Source.name)).all()
    return [(int(i or 0), str(n)) for i, n in rows]


# --- the shell's listing ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenPost:
    """One open item as the shell lists it (``hate-monitor queue``): its URL and whole text."""

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


def open_queue(session: Session, *, limit: int) -> list[OpenPost]:
    rows = session.exec(
        select(QueueItem, Capture)
        .join(Capture, col(Capture.id) == QueueItem.capture_id)
        .where(QueueItem.status == "open")
        .order_by(col(QueueItem.priority).desc(), col(QueueItem.id))
        .limit(limit)
    ).all()
    return [
        OpenPost(
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


# --- claims -----------------------------------------------------------------------------------


def claimable(q: QueueAlias, user_id: int, now: datetime) -> ColumnElement[bool]:
    return or_(
        col(q.assignee_id).is_(None),
        q.assignee_id == user_id,
        col(q.claimed_until).is_(None),
        q.claimed_until < now,
    )


def claim(
    session: Session, item_id: int, user_id: int, *, now: datetime, minutes: int = CLAIM_MINUTES
) -> bool:
    """Take (or renew) the lock on an open item; False when someone else holds it."""
    result = session.exec(
        update(QueueItem)
        .where(
            col(QueueItem.id) == item_id,
            col(QueueItem.status) == "open",
            claimable(QueueItem, user_id, now),
        )
        .values(assignee_id=user_id, claimed_until=now + timedelta(minutes=minutes))
    )
    return bool(result.rowcount == 1)


def release(session: Session, item_id: int, user_id: int) -> bool:
    result = session.exec(
        update(QueueItem)
        .where(col(QueueItem.id) == item_id, col(QueueItem.assignee_id) == user_id,
               col(QueueItem.status) == "open")
        .values(assignee_id=None, claimed_until=None)
    )
    return bool(result.rowcount == 1)


def claim_next(
    session: Session,
    user_id: int,
    filters: QueueFilters,
    *,
    now: datetime,
    after_item: int | None = None,
    backwards: bool = False,
    skip: Sequence[int] = (),
    minutes: int = CLAIM_MINUTES,
) -> int | None:
    """Claim the next open item in queue order (after ``after_item`` if given) that nobody else
    is working; None when the queue is clear. Call inside a write transaction."""
    q = QueueItem
    conds = _conditions(q, replace(filters, status="open"))
    conds.append(claimable(q, user_id, now))
    if skip:
        conds.append(col(q.id).not_in(list(skip)))
    order: list[Any] = [col(q.priority).desc(), col(q.id).desc()]
    if after_item is not None:
        # Moving on lets go of the item left behind, so a colleague need not wait for the lock
        # to lapse (a no-op when it was just decided, or held by someone else).
        release(session, after_item, user_id)
        anchor = session.get(QueueItem, after_item)
        if anchor is not None:
            if backwards:
                conds.append(_ranks_above(q, anchor.priority, anchor.id))
                order = [col(q.priority).asc(), col(q.id).asc()]
            else:
                conds.append(_ranks_below(q, anchor.priority, anchor.id))
            conds.append(col(q.id) != after_item)
    while True:
        candidates = session.exec(select(q.id).where(*conds).order_by(*order).limit(20)).all()
        if not candidates:
            return None
        for cand in candidates:
            if cand is not None and claim(session, cand, user_id, now=now, minutes=minutes):
                return int(cand)
        # Every candidate was taken under us; look again past them.
        conds.append(col(q.id).not_in([c for c in candidates if c is not None]))


# --- consultations (DPA 2018 s62) ----------------------------------------------------------


def open_for_review(session: Session, item_id: int, user: User, *, now: datetime) -> bool | None:
    """Record that this user consulted the item and claim it if it is open and free.

    Returns whether the user holds the claim, or None when the item does not exist."""
    item = session.get(QueueItem, item_id)
    if item is None:
        return None
    held = claim(session, item_id, user.id or 0, now=now) if item.status == "open" else False
    audit.record(session, actor=user.username, action="consult", object_type="queue_item",
                 object_id=item_id, reason="review desk",
                 details={"capture_id": item.capture_id, "claimed": held})
    return held


def consult_raw(
    session: Session, item_id: int, user: User, *, reason: str
) -> Capture | None:
    """The raw capture behind an item, recorded with the justification the officer gave."""
    item = session.get(QueueItem, item_id)
    if item is None:
        return None
    capture = session.get(Capture, item.capture_id)
    if capture is None:
        return None
    audit.record(session, actor=user.username, action="consult.raw", object_type="capture",
                 object_id=capture.id, reason=reason,
                 details={"queue_item_id": item_id, "raw_sha256": capture.raw_sha256})
    return capture
