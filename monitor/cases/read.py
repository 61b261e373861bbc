"""Read-only views of cases for the desk, the CLI and the evidence pack (no contacts here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from monitor.cases.lifecycle import require_case
from monitor.storage.tables.accounts import User
from monitor.storage.tables.cases import Case, CaseContact, CaseEvent, CaseItem, CaseNote
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.review import Decision, QueueItem


@dataclass(frozen=True, slots=True)
class CaseSummary:
    reference: str
    title: str
    status: str
    assignee: str | None
    items: int
    created_at: datetime
    updated_at: datetime
    crime_reference: str | None


@dataclass(frozen=True, slots=True)
class CaseItemView:
    item: QueueItem
    capture: Capture  # the version the queue item points at (the latest)
    versions: list[Capture]  # every captured version of the post, oldest first
    decisions: list[Decision]
    added_at: datetime
    added_by: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    user: str
    kind: str
    from_status: str | None
    to_status: str | None
    reason: str
    details: dict[str, object]


@dataclass(frozen=True, slots=True)
class NoteView:
    at: datetime
    user: str
    body: str


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    created_by: str
    assignee: str | None
    items: list[CaseItemView]
    history: list[HistoryEntry]
    notes: list[NoteView]
    contact_count: int
    usernames: dict[int, str]


def _usernames(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.username).where(col(User.id).in_(ids))).all()
    return {int(i): str(n) for i, n in rows if i is not None}


def list_cases(
    session: Session, *, status: str | None = None, assignee_id: int | None = None,
    limit: int = 200,
) -> list[CaseSummary]:
    counts = (
        select(CaseItem.case_id, func.count().label("n"))
        .group_by(col(CaseItem.case_id))
        .subquery()
    )
    query = select(Case, counts.c.n).outerjoin(counts, counts.c.case_id == col(Case.id))
    if status:
        query = query.where(Case.status == status)
    if assignee_id is not None:
        query = query.where(Case.assignee_id == assignee_id)
    rows = session.exec(query.order_by(col(Case.updated_at).desc(), col(Case.id).desc())
                        .limit(limit)).all()
    names = _usernames(session, {c.assignee_id for c, _ in rows if c.assignee_id})
    return [
        CaseSummary(c.reference, c.title, c.status,
                    names.get(c.assignee_id) if c.assignee_id else None, int(n or 0),
                    c.created_at, c.updated_at, c.crime_reference)
        for c, n in rows
    ]


def _item_views(session: Session, case: Case, names: dict[int, str]) -> list[CaseItemView]:
    links = session.exec(
        select(CaseItem).where(CaseItem.case_id == case.id).order_by(col(CaseItem.added_at),
                                                                     col(CaseItem.queue_item_id))
    ).all()
    out: list[CaseItemView] = []
    for link in links:
        item = session.get(QueueItem, link.queue_item_id)
        if item is None:
            continue
        capture = session.get(Capture, item.capture_id)
        if capture is None:
            continue
        versions = list(session.exec(
            select(Capture)
            .where(Capture.platform == item.platform, Capture.post_id == item.post_id)
            .order_by(col(Capture.version))
        ).all())
        decisions = list(session.exec(
            select(Decision).where(Decision.queue_item_id == item.id).order_by(col(Decision.id))
        ).all())
        out.append(CaseItemView(item, capture, versions, decisions, link.added_at,
                                names.get(link.added_by, f"user {link.added_by}")))
    return out


def case_detail(session: Session, reference: str) -> CaseDetail:
    case = require_case(session, reference)
    events: Sequence[CaseEvent] = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id))
    ).all()
    notes: Sequence[CaseNote] = session.exec(
        select(CaseNote).where(CaseNote.case_id == case.id).order_by(col(CaseNote.id))
    ).all()
    decider_ids = set(session.exec(
        select(Decision.user_id)
        .join(CaseItem, col(CaseItem.queue_item_id) == col(Decision.queue_item_id))
        .where(CaseItem.case_id == case.id)
    ).all())
    adders = set(session.exec(select(CaseItem.added_by).where(CaseItem.case_id == case.id)).all())
    ids = ({case.created_by} | {e.user_id for e in events} | {n.user_id for n in notes}
           | decider_ids | adders | ({case.assignee_id} if case.assignee_id else set()))
    names = _usernames(session, ids)
    contact_count = int(session.exec(
        select(func.count()).select_from(CaseContact).where(CaseContact.case_id == case.id)
    ).one())
    return CaseDetail(
        case=case,
        created_by=names.get(case.created_by, f"user {case.created_by}"),
        assignee=names.get(case.assignee_id) if case.assignee_id else None,
        items=_item_views(session, case, names),
        history=[HistoryEntry(e.created_at, names.get(e.user_id, f"user {e.user_id}"), e.kind,
                              e.from_status, e.to_status, e.reason, dict(e.details))
                 for e in events],
        notes=[NoteView(n.created_at, names.get(n.user_id, f"user {n.user_id}"), n.body)
               for n in notes],
        contact_count=contact_count,
        usernames=names,
    )


@dataclass(frozen=True, slots=True)
class ItemPreview:
    item: QueueItem
    capture: Capture
    case_reference: str | None  # the case the item is already in, if any


def item_previews(session: Session, ids: Sequence[int]) -> list[ItemPreview]:
    """The items an officer is about to escalate, in the order given; unknown ids are skipped."""
    out: list[ItemPreview] = []
    for i in dict.fromkeys(ids):
        item = session.get(QueueItem, i)
        capture = session.get(Capture, item.capture_id) if item else None
        if item is None or capture is None:
            continue
        ref = session.exec(
            select(Case.reference).join(CaseItem, col(CaseItem.case_id) == col(Case.id))
            .where(CaseItem.queue_item_id == i)
        ).first()
        out.append(ItemPreview(item, capture, ref))
    return out


def open_case_choices(session: Session, limit: int = 200) -> list[tuple[str, str]]:
    """Cases items can still be added to (not closed), newest first."""
    rows = session.exec(
        select(Case.reference, Case.title).where(Case.status != "closed_nfa")
        .order_by(col(Case.id).desc()).limit(limit)
    ).all()
    return [(str(r), str(t)) for r, t in rows]


def case_workers(session: Session) -> list[User]:
    """Accounts a case can be handed to."""
    return list(session.exec(
        select(User).where(col(User.role).in_(["admin", "officer"]),
                           col(User.disabled).is_(False)).order_by(col(User.username))
    ).all())


def rationale_from_decisions(session: Session, ids: Sequence[int]) -> str:
    """The officers' own words for why these items are a possible crime, to start an
    escalation's reason with (the escalation form opens straight after such a decision)."""
    if not ids:
        return ""
    rows = session.exec(
        select(Decision)
        .where(col(Decision.queue_item_id).in_(list(ids)), col(Decision.undone_at).is_(None),
               Decision.outcome == "possible_crime")
        .order_by(col(Decision.id))
    ).all()
    seen: dict[str, None] = dict.fromkeys(d.rationale.strip() for d in rows if d.rationale.strip())
    return "\n".join(seen)
