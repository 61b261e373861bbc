"""Victim and witness details: the case's assignee and admins only, and every view is logged."""

from __future__ import annotations

import pytest
from sqlmodel import select

from monitor.cases import contacts as case_contacts
from monitor.cases import lifecycle as cases
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from tests.support.cases import STRANDS, People


def _case_with_contact(db: Database, people: People, ids: list[int]) -> str:
    with db.write() as s:
        case = cases.create_case(s, actor=people.officer, item_ids=ids[:1], reason="threat",
                                 allowed_strands=STRANDS, case_years=6)
        case_contacts.add_contact(s, actor=people.officer, reference=case.reference, role="victim",
                          name="A. Victim", contact="07700 900123")
        return case.reference


def test_assignee_and_admin_see_contacts_others_do_not(
    db: Database, people: People, item_ids: list[int]
) -> None:
    ref = _case_with_contact(db, people, item_ids)
    for who in (people.officer, people.admin):
        with db.write() as s:
            rows = case_contacts.view_contacts(s, actor=who, case=cases.require_case(s, ref))
            assert [(r.role, r.name, r.contact) for r in rows] == [
                ("victim", "A. Victim", "07700 900123")]
    for who in (people.officer2, people.moderator):
        with pytest.raises(cases.CasePermissionError), db.write() as s:
            case_contacts.view_contacts(s, actor=who, case=cases.require_case(s, ref))
        with pytest.raises(cases.CasePermissionError), db.write() as s:
            case_contacts.add_contact(s, actor=who, reference=ref, role="witness", name="W",
                                      contact="")


def test_handover_moves_visibility(db: Database, people: People, item_ids: list[int]) -> None:
    ref = _case_with_contact(db, people, item_ids)
    with db.write() as s:
        cases.assign(s, actor=people.officer, reference=ref, assignee=people.officer2, reason="x")
    with db.write() as s:
        case = cases.require_case(s, ref)
        assert case_contacts.can_see_contacts(people.officer2, case)
        assert not case_contacts.can_see_contacts(people.officer, case)


def test_contact_details_never_reach_the_audit_log(
    db: Database, people: People, item_ids: list[int]
) -> None:
    ref = _case_with_contact(db, people, item_ids)
    with db.write() as s:
        case_contacts.view_contacts(s, actor=people.admin, case=cases.require_case(s, ref))
    with db.read() as s:
        events = s.exec(select(AuditEvent)).all()
        actions = [e.action for e in events]
        assert "case.contact.add" in actions and "case.contact.view" in actions
        blob = repr([(e.reason, e.details) for e in events])
        assert "07700" not in blob and "A. Victim" not in blob


def test_bad_contact_role_names_field(db: Database, people: People, item_ids: list[int]) -> None:
    ref = _case_with_contact(db, people, item_ids)
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        case_contacts.add_contact(s, actor=people.officer, reference=ref, role="suspect", name="X",
                          contact="")
    assert err.value.field == "role"
