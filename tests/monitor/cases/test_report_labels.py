"""The evidence report speaks to people: labels, not codes; times to the second with the zone."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from monitor.cases import lifecycle as cases
from monitor.cases.evidence_pack import export_pack
from monitor.ingest.pipeline import process_posts_sync
from monitor.review import decisions
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.types import utcnow
from tests.support.cases import STRANDS, People
from tests.support.fakes import FakeScorer, make_post

CODES = ("closed_nfa", "possible_crime", "sexual_orientation", "hate_intelligence",
         "mca1988_s1", "crime_recorded")


def test_report_uses_labels_and_plain_times(
    db: Database, people: People, fake_scorer: FakeScorer, tmp_path: Path
) -> None:
    ids = process_posts_sync(db, fake_scorer, [make_post(7, "gay people are disgusting filth")],
                             weights=PriorityWeights(), origin="import",
                             actor="t").queue_item_ids
    with db.write() as s:
        decisions.record_decision(s, item_id=ids[0], user=people.officer, now=utcnow(),
                                  data=decisions.DecisionInput(
                                      "possible_crime", ("sexual_orientation",), "witness",
                                      ("mca1988_s1",), "grossly offensive"))
    with db.write() as s:
        ref = cases.create_case(s, actor=people.officer, item_ids=ids, reason="threat",
                                allowed_strands=STRANDS, case_years=6).reference
        cases.change_status(s, actor=people.officer, reference=ref, to_status="crime_recorded",
                            reason="recorded", crime_reference="CR/9/26")
        cases.change_status(s, actor=people.officer, reference=ref, to_status="closed_nfa",
                            reason="CPS declined")
    out = tmp_path / "pack.zip"
    export_pack(db, actor=people.officer, reference=ref, justification="file for CPS",
                recipient="CPS", out=out)
    with zipfile.ZipFile(out) as zf:
        html = zf.read("report.html").decode()
    for code in CODES:
        assert code not in html, code
    assert "Closed, no further action" in html and "Possible crime (escalate)" in html
    assert "Sexual orientation" in html and "Malicious Communications Act 1988 s1" in html
    # No ISO microseconds: every time is "YYYY-MM-DD HH:MM:SS UTC".
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", html)
    assert not re.search(r"T\d{2}:\d{2}", html)
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", html)
