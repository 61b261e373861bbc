"""Case lifecycle: escalate, references, status changes with their rules, hand-over, notes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from monitor.audit import chain as audit
from monitor.cases import lifecycle as cases
from monitor.cases.read import case_detail, list_cases
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.review import QueueItem
from tests.support.cases import STRANDS, People

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def _create(db: Database, people: People, ids: list[int], **kw: object) -> str:
    with db.write() as s:
        case = cases.create_case(
            s, actor=people.officer, item_ids=ids, reason="threats to a mosque",
            allowed_strands=STRANDS, case_years=6, now=NOW, **kw,  # type: ignore[arg-type]
        )
        return case.reference


def test_escalate_creates_case_with_reference_review_date_and_history(
    db: Database, people: People, item_ids: list[int]
) -> None:
    ref = _create(db, people, item_ids[:2], strands=["religion"], offences=["mca1988_s1"])
    assert ref == "HM-2026-000001"
    assert _create(db, people, [item_ids[2]]) == "HM-2026-000002"
    with db.read() as s:
        d = case_detail(s, ref)
        assert d.case.status == "open"
        assert d.case.cyber_enabled is True
        assert d.case.review_date == date(2032, 11, 28)
        assert d.assignee == "officer1"
        assert [v.item.id for v in d.items] == item_ids[:2]
        assert all(v.item.status == "escalated" for v in d.items)
        assert all(v.item.review_date == date(2032, 11, 28) for v in d.items)
        assert d.history[0].kind == "create" and d.history[0].reason == "threats to a mosque"
        rows = s.exec(select(AuditEvent).where(AuditEvent.action == "case.create")).all()
        assert len(rows) == 2
        assert audit.verify(s).ok
        assert [c.reference for c in list_cases(s)] == ["HM-2026-000002", ref]


def test_item_cannot_be_escalated_twice(db: Database, people: People, item_ids: list[int]) -> None:
    ref = _create(db, people, item_ids[:1])
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        cases.create_case(s, actor=people.officer, item_ids=item_ids[:2], reason="again",
                          allowed_strands=STRANDS, case_years=6)
    assert err.value.field == "items" and ref in str(err.value)
    with db.read() as s:  # the failed escalation left nothing behind
        assert s.get(QueueItem, item_ids[1]).status == "open"  # type: ignore[union-attr]
        assert len(list_cases(s)) == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"strands": ["astrology"]}, "strands"),
        ({"offences": ["theft"]}, "offences"),
        ({"perception": "psychic"}, "perception"),
        ({"title": "x" * 201}, "title"),
        ({"reason": "  "}, "reason"),
        ({"item_ids": []}, "items"),
        ({"item_ids": [999999]}, "items"),
    ],
)
def test_bad_input_names_the_field(
    db: Database, people: People, item_ids: list[int], kw: dict[str, object], field: str
) -> None:
    args: dict[str, object] = {"item_ids": item_ids[:1], "reason": "why", **kw}
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        cases.create_case(s, actor=people.officer, allowed_strands=STRANDS, case_years=6,
                          **args)  # type: ignore[arg-type]
    assert err.value.field == field


def test_status_lifecycle_and_crime_reference(
    db: Database, people: People, item_ids: list[int]
) -> None:
    ref = _create(db, people, item_ids[:2])
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        cases.change_status(s, actor=people.officer, reference=ref, to_status="crime_recorded",
                            reason="recorded")
    assert err.value.field == "crime_reference"
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        cases.change_status(s, actor=people.officer, reference=ref, to_status="open", reason="x")
    assert err.value.field == "status"
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        cases.change_status(s, actor=people.officer, reference=ref, to_status="closed_nfa",
                            reason="")
    assert err.value.field == "reason"
    with db.write() as s:
        cases.change_status(s, actor=people.officer, reference=ref, to_status="crime_recorded",
                            reason="recorded on Niche", crime_reference="GW/12345/26")
        cases.change_status(s, actor=people.officer2, reference=ref, to_status="referred_hcso",
                            reason="victim wants support")
        cases.change_status(s, actor=people.officer2, reference=ref, to_status="closed_nfa",
                            reason="done")
    with pytest.raises(cases.CaseError), db.write() as s:
        cases.change_status(s, actor=people.officer, reference=ref, to_status="crime_recorded",
                            reason="x", crime_reference="A1")
    with db.read() as s:
        d = case_detail(s, ref)
        assert d.case.crime_reference == "GW/12345/26"
        assert [(h.from_status, h.to_status, h.user) for h in d.history[1:]] == [
            ("open", "crime_recorded", "officer1"),
            ("crime_recorded", "referred_hcso", "officer2"),
            ("referred_hcso", "closed_nfa", "officer2"),
        ]
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "case.status")
                        .order_by(col(AuditEvent.id))).all()
        assert [e.reason for e in events] == ["recorded on Niche", "victim wants support", "done"]


def test_moderator_cannot_work_cases(db: Database, people: People, item_ids: list[int]) -> None:
    with pytest.raises(cases.CasePermissionError), db.write() as s:
        cases.create_case(s, actor=people.moderator, item_ids=item_ids[:1], reason="x",
                          allowed_strands=STRANDS, case_years=6)


def test_handover_notes_details_and_adding_items(
    db: Database, people: People, item_ids: list[int]
) -> None:
    ref = _create(db, people, item_ids[:1])
    with db.write() as s:
        cases.assign(s, actor=people.officer, reference=ref, assignee=people.officer2,
                     reason="leave")
        cases.add_note(s, actor=people.officer2, reference=ref, body="called the moderator")
        cases.add_items(s, actor=people.officer2, reference=ref, item_ids=[item_ids[3]],
                        reason="same author")
        cases.update_details(s, actor=people.officer2, reference=ref, reason="reviewed",
                             allowed_strands=STRANDS, strands=["race", "religion"],
                             cyber_enabled=False, perception="witness")
    with pytest.raises(cases.CaseError) as err, db.write() as s:
        cases.assign(s, actor=people.officer, reference=ref, assignee=people.moderator, reason="x")
    assert err.value.field == "assignee"
    with db.read() as s:
        d = case_detail(s, ref)
        assert d.assignee == "officer2"
        assert d.case.strands == ["race", "religion"] and d.case.cyber_enabled is False
        assert d.case.perception == "witness"
        assert [n.body for n in d.notes] == ["called the moderator"]
        assert [h.kind for h in d.history] == ["create", "assign", "add_items", "update"]
        assert len(d.items) == 2


def test_unknown_reference_is_a_clear_error(db: Database, people: People) -> None:
    with pytest.raises(cases.CaseError, match="HM-2026-000123"), db.read() as s:
        cases.require_case(s, "nonsense")


def test_references_are_unique_under_concurrent_escalation(
    db: Database, people: People, item_ids: list[int]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def escalate(item_id: int) -> str:
        with db.write() as s:
            return cases.create_case(s, actor=people.officer, item_ids=[item_id], reason="r",
                                     allowed_strands=STRANDS, case_years=6, now=NOW).reference

    with ThreadPoolExecutor(max_workers=4) as pool:
        refs = list(pool.map(escalate, item_ids))
    assert sorted(refs) == [f"HM-2026-{n:06d}" for n in range(1, len(item_ids) + 1)]


def test_item_claimed_by_someone_else_cannot_be_escalated(
    db: Database, people: People, item_ids: list[int]
) -> None:
    from monitor.review import queue

    with db.write() as s:
        assert queue.claim(s, item_ids[0], people.officer2.id or 0, now=datetime.now(UTC))
    with pytest.raises(cases.CaseError, match="being reviewed") as err, db.write() as s:
        cases.create_case(s, actor=people.officer, item_ids=item_ids[:1], reason="r",
                          allowed_strands=STRANDS, case_years=6)
    assert err.value.field == "items"
    with db.write() as s:  # the officer holding it may
        cases.create_case(s, actor=people.officer2, item_ids=item_ids[:1], reason="r",
                          allowed_strands=STRANDS, case_years=6)
