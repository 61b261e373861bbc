"""Cases: escalated queue items grouped under a reference, moved through a lifecycle.

Every change is written twice inside the caller's write transaction: as a ``case_events`` row
(the case history an evidence pack carries) and as an audit event (DPA 2018 s62). Functions take
the acting ``User`` so that the rules (who may work cases, who may see victim and witness
details) hold for the web desk and the CLI alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from monitor.audit import chain as audit
from monitor.review import vocabulary
from monitor.review.decisions import OFFENCES, PERCEIVERS
from monitor.storage.tables.accounts import User
from monitor.storage.tables.cases import Case, CaseCounter, CaseEvent, CaseItem, CaseNote
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow

STATUSES: dict[str, str] = dict(vocabulary.CASE_STATUSES)
# A case can pick up further outcomes (a recorded crime is often also referred to an HCSO);
# a closed case only reopens, with a reason, so nothing is lost by closing too early.
TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"referred_hcso", "crime_recorded", "intelligence_submitted", "closed_nfa"}),
    "referred_hcso": frozenset({"crime_recorded", "intelligence_submitted", "closed_nfa"}),
    "intelligence_submitted": frozenset({"crime_recorded", "referred_hcso", "closed_nfa"}),
    "crime_recorded": frozenset({"referred_hcso", "closed_nfa"}),
    "closed_nfa": frozenset({"open"}),
}
CASE_ROLES = frozenset({"admin", "officer"})
MAX_REASON = 5000
MAX_TITLE = 200
_CRIME_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/ _.:-]{0,63}$")
_REF = re.compile(r"^HM-\d{4}-\d{6,}$")


class CaseError(ValueError):
    """Bad input or an impossible change; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class CasePermissionError(PermissionError):
    """The acting user may not do this to this case."""


def can_work_cases(user: User) -> bool:
    return user.role in CASE_ROLES and not user.disabled


def may_reassign(user: User, case: Case) -> bool:
    """The admins and the current assignee: the same people who see the contact details."""
    if not can_work_cases(user):
        return False
    return user.role == "admin" or (user.id is not None and case.assignee_id == user.id)


def require_worker(user: User) -> None:
    if not can_work_cases(user):
        raise CasePermissionError(f"{user.username} ({user.role}) may not work cases")


def _reason(reason: str, *, required: bool = True, field: str = "reason") -> str:
    reason = reason.strip()
    if required and not reason:
        raise CaseError(field, "say why (it goes in the case history and the audit log)")
    if len(reason) > MAX_REASON:
        raise CaseError(field, f"keep it under {MAX_REASON} characters")
    return reason


def _strands(values: Sequence[str], allowed: Sequence[str]) -> list[str]:
    bad = [s for s in values if s not in allowed]
    if bad:
        raise CaseError("strands", f"unknown strand(s) {', '.join(bad)}; use {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def _offences(values: Sequence[str]) -> list[str]:
    bad = [o for o in values if o not in OFFENCES]
    if bad:
        known = ", ".join(OFFENCES)
        raise CaseError("offences", f"unknown offence(s) {', '.join(bad)}; use {known}")
    return list(dict.fromkeys(values))


def _perception(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if value not in PERCEIVERS:
        raise CaseError("perception", f"{value!r} is not one of {', '.join(PERCEIVERS)}")
    return value


def review_date_for(now: datetime, case_years: int) -> date:
    """The force's records policy: case evidence comes up for review after N years."""
    d = now.date()
    try:
        return d.replace(year=d.year + case_years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + case_years, day=28)


def next_reference(session: Session, now: datetime) -> str:
    """HM-YYYY-NNNNNN from a per-year counter; the UPDATE's row lock (PostgreSQL) or the single
    writer (SQLite, BEGIN IMMEDIATE) means two officers escalating at once get different numbers."""
    year = now.year
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(CaseCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    number = session.execute(
        update(CaseCounter)
        .where(col(CaseCounter.year) == year)
        .values(last=col(CaseCounter.last) + 1)
        .returning(col(CaseCounter.last))
    ).scalar_one()
    return f"HM-{year}-{number:06d}"


def get_case(session: Session, reference: str) -> Case | None:
    return session.exec(select(Case).where(Case.reference == reference.strip().upper())).first()


def require_case(session: Session, reference: str) -> Case:
    case = get_case(session, reference)
    if case is None:
        hint = "" if _REF.match(reference.strip().upper()) else " (they look like HM-2026-000123)"
        raise CaseError("reference", f"no case {reference!r}{hint}")
    return case


def _event(
    session: Session,
    case: Case,
    actor: User,
    kind: str,
    reason: str,
    now: datetime,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    details: dict[str, Any] | None = None,
) -> CaseEvent:
    ev = CaseEvent(
        case_id=case.id or 0,
        created_at=now,
        user_id=actor.id or 0,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details or {},
    )
    session.add(ev)
    audit.record(
        session,
        actor=actor.username,
        action=f"case.{kind}",
        object_type="case",
        object_id=case.reference,
        reason=reason or None,
        details={"from": from_status, "to": to_status, **(details or {})},
    )
    case.updated_at = now
    session.add(case)
    session.flush()
    return ev


def _attach_items(
    session: Session, case: Case, item_ids: Sequence[int], actor: User, now: datetime
) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in item_ids))
    if not ids:
        raise CaseError("items", "choose at least one queue item")
    found = {q.id: q for q in session.exec(select(QueueItem).where(col(QueueItem.id).in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise CaseError("items", f"no queue item(s) {', '.join(map(str, missing))}")
    held = [q for q in found.values()
            if q.status == "open" and q.assignee_id not in (None, actor.id)
            and q.claimed_until is not None and q.claimed_until > now]
    if held:
        # Claims keep two officers off one item (review desk); escalating counts as working it.
        raise CaseError("items", "being reviewed by another officer: item(s) "
                                 + ", ".join(str(q.id) for q in held))
    taken = session.exec(
        select(CaseItem.queue_item_id, Case.reference)
        .join(Case, col(Case.id) == col(CaseItem.case_id))
        .where(col(CaseItem.queue_item_id).in_(ids))
    ).all()
    if taken:
        where = ", ".join(f"item {i} is in {ref}" for i, ref in taken)
        raise CaseError("items", f"already escalated: {where}")
    for i in ids:
        session.add(CaseItem(case_id=case.id or 0, queue_item_id=i, added_at=now,
                             added_by=actor.id or 0))
    # The items leave the open queue: they are now worked as part of the case, and are kept
    # as long as the case (records policy), not the short default for queue items.
    session.execute(
        update(QueueItem)
        .where(col(QueueItem.id).in_(ids))
        .values(status="escalated", updated_at=now, claimed_until=None,
                review_date=case.review_date)
    )
    session.flush()
    return ids


def defaults_from_decisions(
    session: Session, ids: Sequence[int]
) -> tuple[list[str], list[str], str | None]:
    """Strands, offences and perception already recorded by the officers who decided the items."""
    rows = session.exec(
        select(Decision)
        .where(col(Decision.queue_item_id).in_(ids), col(Decision.undone_at).is_(None))
        .order_by(col(Decision.id))
    ).all()
    strands: dict[str, None] = {}
    offences: dict[str, None] = {}
    perception = None
    for d in rows:
        strands.update(dict.fromkeys(d.strands))
        offences.update(dict.fromkeys(d.offences))
        perception = d.perceived_by or perception
    return list(strands), list(offences), perception


def create_case(
    session: Session,
    *,
    actor: User,
    item_ids: Sequence[int],
    reason: str,
    allowed_strands: Sequence[str],
    case_years: int,
    title: str = "",
    strands: Sequence[str] | None = None,
    offences: Sequence[str] | None = None,
    perception: str | None = None,
    cyber_enabled: bool = True,
    assignee: User | None = None,
    now: datetime | None = None,
) -> Case:
    """Escalate: a new case holding these items. Strands, offences and perception default to
    what the items' decisions recorded."""
    require_worker(actor)
    now = now or utcnow()
    why = _reason(reason)
    title = title.strip()
    if len(title) > MAX_TITLE:
        raise CaseError("title", f"keep the title under {MAX_TITLE} characters")
    if assignee is not None and not can_work_cases(assignee):
        raise CaseError("assignee", f"{assignee.username} ({assignee.role}) cannot hold cases")
    ids = [int(i) for i in item_ids]
    d_strands, d_offences, d_perception = defaults_from_decisions(session, ids)
    case = Case(
        reference=next_reference(session, now),
        title=title,
        status="open",
        created_by=actor.id or 0,
        assignee_id=(assignee or actor).id,
        strands=_strands(d_strands if strands is None else strands, allowed_strands),
        offences=_offences(d_offences if offences is None else offences),
        cyber_enabled=cyber_enabled,
        perception=_perception(d_perception if perception is None else perception),
        review_date=review_date_for(now, case_years),
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    ids = _attach_items(session, case, item_ids, actor, now)
    _event(session, case, actor, "create", why, now, to_status="open",
           details={"items": ids, "assignee_id": case.assignee_id})
    return case


def add_items(
    session: Session, *, actor: User, reference: str, item_ids: Sequence[int], reason: str,
    now: datetime | None = None,
) -> Case:
    require_worker(actor)
    now = now or utcnow()
    why = _reason(reason)
    case = require_case(session, reference)
    ids = _attach_items(session, case, item_ids, actor, now)
    _event(session, case, actor, "add_items", why, now, details={"items": ids})
    return case


def change_status(
    session: Session, *, actor: User, reference: str, to_status: str, reason: str,
    crime_reference: str | None = None, now: datetime | None = None,
) -> Case:
    require_worker(actor)
    now = now or utcnow()
    case = require_case(session, reference)
    if to_status not in STATUSES:
        raise CaseError("status", f"{to_status!r} is not one of {', '.join(STATUSES)}")
    if to_status not in TRANSITIONS[case.status]:
        allowed = ", ".join(sorted(TRANSITIONS[case.status]))
        raise CaseError("status", f"a case that is {case.status} can move to {allowed}, "
                                  f"not {to_status}")
    why = _reason(reason)
    details: dict[str, Any] = {}
    if to_status == "crime_recorded":
        ref = (crime_reference or "").strip()
        if not ref:
            raise CaseError("crime_reference", "give the crime reference from the crime system")
        if not _CRIME_REF.match(ref):
            raise CaseError("crime_reference", "use up to 64 letters, digits, spaces and / _ . : -")
        case.crime_reference = ref
        details["crime_reference"] = ref
    previous = case.status
    case.status = to_status
    _event(session, case, actor, "status", why, now, from_status=previous, to_status=to_status,
           details=details)
    return case


def assign(
    session: Session, *, actor: User, reference: str, assignee: User, reason: str,
    now: datetime | None = None,
) -> Case:
    """Hand the case over; the new assignee (and admins) then see the contact details.

    Only an admin or the current assignee may hand a case over: otherwise any officer could
    assign a case to themselves and so read the victim's contact details."""
    require_worker(actor)
    now = now or utcnow()
    case = require_case(session, reference)
    if not can_work_cases(assignee):
        raise CaseError("assignee", f"{assignee.username} ({assignee.role}) cannot hold cases")
    if not may_reassign(actor, case):
        raise CasePermissionError("only the case's assignee or an admin may hand it over")
    why = _reason(reason)
    previous = case.assignee_id
    case.assignee_id = assignee.id
    _event(session, case, actor, "assign", why, now,
           details={"from_user_id": previous, "to_user_id": assignee.id,
                    "to_username": assignee.username})
    return case


def update_details(
    session: Session, *, actor: User, reference: str, reason: str,
    allowed_strands: Sequence[str], title: str | None = None,
    strands: Sequence[str] | None = None, offences: Sequence[str] | None = None,
    perception: str | None = None, cyber_enabled: bool | None = None,
    now: datetime | None = None,
) -> Case:
    """Change what the case is about; only the fields given change, and all are checked first."""
    require_worker(actor)
    now = now or utcnow()
    case = require_case(session, reference)
    why = _reason(reason)
    changes: dict[str, Any] = {}
    if title is not None:
        if len(title.strip()) > MAX_TITLE:
            raise CaseError("title", f"keep the title under {MAX_TITLE} characters")
        changes["title"] = title.strip()
    if strands is not None:
        changes["strands"] = _strands(strands, allowed_strands)
    if offences is not None:
        changes["offences"] = _offences(offences)
    if perception is not None:
        changes["perception"] = _perception(perception)
    if cyber_enabled is not None:
        changes["cyber_enabled"] = bool(cyber_enabled)
    changed = {k: v for k, v in changes.items() if getattr(case, k) != v}
    if not changed:
        return case
    before = {k: getattr(case, k) for k in changed}
    for k, v in changed.items():
        setattr(case, k, v)
    _event(session, case, actor, "update", why, now, details={"before": before, "after": changed})
    return case


def add_note(
    session: Session, *, actor: User, reference: str, body: str, now: datetime | None = None
) -> CaseNote:
    require_worker(actor)
    now = now or utcnow()
    case = require_case(session, reference)
    text = _reason(body, field="body")
    note = CaseNote(case_id=case.id or 0, created_at=now, user_id=actor.id or 0, body=text)
    session.add(note)
    session.flush()
    # The note text is in the case; the audit event says a note was added, not what it says.
    audit.record(session, actor=actor.username, action="case.note", object_type="case",
                 object_id=case.reference, details={"note_id": note.id})
    case.updated_at = now
    session.add(case)
    return note
