"""3x5x2 grading and the intelligence submission, audited as a disclosure."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlmodel import select

from monitor.accounts.users import create_user
from monitor.audit import chain as audit
from monitor.cases import intelligence as intel
from monitor.cases.lifecycle import CaseError
from monitor.ingest.pipeline import process_posts_sync
from monitor.review import decisions
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.types import utcnow
from tests.support.fakes import FakeScorer, make_post


def test_parse_grading() -> None:
    g, errors = intel.parse_grading("2", "b", "c", "not to be shared outside the force")
    assert errors == {} and g is not None and g.code == "2/B/C"
    _, errors = intel.parse_grading("4", "F", "X", "")
    assert set(errors) == {"source", "assessment", "handling"}
    _, errors = intel.parse_grading("1", "A", "C", " ")
    assert set(errors) == {"conditions"}
    g, _ = intel.parse_grading("1", "A", "P", "ignored for P")
    assert g is not None and g.conditions == ""


def _item(db: Database, scorer: FakeScorer, outcome: str | None) -> tuple[int, object]:
    ids = process_posts_sync(db, scorer, [make_post(3, "muslims are scum, get out")],
                             weights=PriorityWeights(), origin="import", actor="t").queue_item_ids
    with db.write() as s:
        officer = create_user(s, username="off", role="officer", password="plum-orchard-9",
                              actor="t")
    if outcome:
        with db.write() as s:
            decisions.record_decision(s, item_id=ids[0], user=officer, now=utcnow(),
                                      data=decisions.DecisionInput(
                                          outcome, ("religion",), "officer", (),
                                          "derogatory about Muslims"))
    return ids[0], officer


def test_submission_needs_the_decision(db: Database, fake_scorer: FakeScorer) -> None:
    item_id, officer = _item(db, fake_scorer, "not_hate")
    g, _ = intel.parse_grading("2", "B", "P", "")
    assert g is not None
    with db.write() as s, pytest.raises(CaseError) as err:
        intel.build_submission(s, actor=officer, item_id=item_id, grading=g,  # type: ignore[arg-type]
                               summary="", recipient="FIB", justification="local intel",
                               fmt="json", now=utcnow())
    assert err.value.field == "item"


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_submission_formats_and_disclosure(db: Database, fake_scorer: FakeScorer,
                                           fmt: str) -> None:
    item_id, officer = _item(db, fake_scorer, "hate_intelligence")
    g, _ = intel.parse_grading("2", "B", "C", "force only")
    assert g is not None
    with db.write() as s:
        sub, body = intel.build_submission(
            s, actor=officer, item_id=item_id, grading=g, summary="",  # type: ignore[arg-type]
            recipient="Force Intelligence Bureau", justification="community tension",
            fmt=fmt, now=utcnow())
    with db.read() as s:
        cap = s.exec(select(Capture)).one()
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "disclosure")).one()
        assert audit.verify(s).ok
    assert ev.object_id == str(item_id) and ev.reason == "community tension"
    assert ev.details["grading"] == "2/B/C" and ev.details["raw_sha256"] == cap.raw_sha256
    assert ev.details["kind"] == "intelligence_submission"
    rows = dict(sub.rows())
    assert rows["Grading (3x5x2)"] == "2/B/C" and rows["Strands"] == "Religion or belief"
    assert rows["Officer's summary"] == "derogatory about Muslims"  # from the decision
    assert rows["Handling conditions"] == "force only"
    assert rows["Captured"].endswith(" UTC") and "." not in rows["Captured"]
    if fmt == "json":
        doc = json.loads(body)
        assert doc["grading"]["code"] == "2/B/C" and doc["raw_sha256"] == cap.raw_sha256
        assert doc["text"] == cap.text and doc["graded_by"] == "off"
    elif fmt == "csv":
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert table[0][0] == "Grading (3x5x2)" and table[1][0] == "2/B/C"
    else:
        assert body == b""
