"""Victim and witness details on a case: kept minimal, shown only to the case's assignee and
admins, and every viewing logged as a consultation (DPA 2018 s62). The audit events name the
contact rows, never what they hold: the audit log is read far more widely than the case."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from monitor.audit import chain as audit
from monitor.cases.lifecycle import CaseError, CasePermissionError, require_case, require_worker
from monitor.storage.tables.accounts import User
from monitor.storage.tables.cases import Case, CaseContact
from monitor.storage.types import utcnow

CONTACT_ROLES: dict[str, str] = {"victim": "Victim", "witness": "Witness"}


def can_see_contacts(user: User, case: Case) -> bool:
    """Victim and witness details: the case's assignee and admins only (data minimisation)."""
    if user.disabled:
        return False
    return user.role == "admin" or (user.id is not None and case.assignee_id == user.id)


def add_contact(
    session: Session, *, actor: User, reference: str, role: str, name: str, contact: str,
    now: datetime | None = None,
) -> CaseContact:
    require_worker(actor)
    now = now or utcnow()
    case = require_case(session, reference)
    if not can_see_contacts(actor, case):
        raise CasePermissionError("only the case's assignee or an admin may record contacts")
    if role not in CONTACT_ROLES:
        raise CaseError("role", f"{role!r} is not one of {', '.join(CONTACT_ROLES)}")
    name, contact = name.strip(), contact.strip()
    if not name or len(name) > 120:
        raise CaseError("name", "give a name of 1-120 characters")
    if len(contact) > 200:
        raise CaseError("contact", "keep it under 200 characters (one way to reach them)")
    row = CaseContact(case_id=case.id or 0, role=role, name=name, contact=contact,
                      created_at=now, created_by=actor.id or 0)
    session.add(row)
    session.flush()
    # Never the details themselves: the audit log is read far more widely than the case.
    audit.record(session, actor=actor.username, action="case.contact.add", object_type="case",
                 object_id=case.reference, details={"contact_id": row.id, "role": role})
    return row


def view_contacts(session: Session, *, actor: User, case: Case) -> list[CaseContact]:
    """Victim and witness details, recorded as a consultation; call inside a write session."""
    if not can_see_contacts(actor, case):
        raise CasePermissionError("victim and witness details are shown to the assignee and admins")
    rows = list(session.exec(
        select(CaseContact).where(CaseContact.case_id == case.id).order_by(col(CaseContact.id))
    ).all())
    if rows:
        audit.record(session, actor=actor.username, action="case.contact.view",
                     object_type="case", object_id=case.reference,
                     details={"contact_ids": [r.id for r in rows]})
    return rows
