"""Statistics against a hand-computed fixture (see ``world`` in conftest.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlmodel import func, select

from monitor.reporting import stats
from monitor.storage.db import Database
from monitor.storage.tables.review import Decision, QueueItem
from tests.support.cases import World

NOW = datetime(2026, 11, 12, 10, 0, tzinfo=UTC)


def test_counts_match_the_hand_computed_fixture(db: Database, world: World) -> None:
    with db.read() as s:
        st = stats.compute(s, now=NOW)
    assert st.items_total == 6
    assert st.items_by_status == {"open": 2, "decided": 2, "escalated": 2}
    assert st.items_by_strand == {"race": 2, "religion": 1, "sexual_orientation": 1,
                                  "disability": 1, "(none)": 1}
    assert st.items_by_platform == {"mastodon": 3, "telegram": 3}
    assert st.items_by_source == {"leeds-group": 3, "(none)": 3}
    assert st.items_by_week == {"2026-W45": 3, "2026-W46": 3}
    assert st.decisions_total == 4  # the undone decision does not count
    assert st.decisions_by_outcome == {"possible_crime": 2, "hate_intelligence": 1, "not_hate": 1}
    assert st.decisions_by_strand == {"race": 3, "religion": 1, "(none)": 1}
    assert st.decisions_by_platform == {"mastodon": 2, "telegram": 2}
    assert st.decisions_by_source == {"leeds-group": 2, "(none)": 2}
    assert st.decisions_by_week == {"2026-W45": 2, "2026-W46": 2}
    assert st.median_hours_to_decision == 13.0  # waits of 2, 24, 1 and 24 hours
    assert st.open_items == 2
    assert st.oldest_open_at == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert st.oldest_open_age_hours == 240.0
    assert st.cases_total == 2 and st.cases_cyber_enabled == 2
    assert st.cases_by_status == {"crime_recorded": 1, "open": 1}
    assert st.cases_by_offence == {"mca1988_s1": 1, "(none)": 1}
    assert st.cases_by_strand == {"race": 2, "religion": 1}


def test_counts_agree_with_plain_sql(db: Database, world: World) -> None:
    with db.read() as s:
        st = stats.compute(s, now=NOW)
        items = s.exec(select(func.count()).select_from(QueueItem)).one()
        live = s.exec(select(func.count()).select_from(Decision)
                      .where(Decision.undone_at == None)).one()  # noqa: E711
    assert sum(st.items_by_status.values()) == sum(st.items_by_platform.values()) == items
    assert sum(st.decisions_by_outcome.values()) == sum(st.decisions_by_week.values()) == live


def test_date_range(db: Database, world: World) -> None:
    with db.read() as s:
        st = stats.compute(s, since=date(2026, 11, 9), until=date(2026, 11, 10), now=NOW)
    assert st.items_total == 3
    assert st.decisions_by_outcome == {"not_hate": 1}  # b2 was decided on the 11th
    assert st.cases_total == 0


def test_csv_carries_every_count(db: Database, world: World) -> None:
    with db.read() as s:
        st = stats.compute(s, now=NOW)
    rows = list(csv.reader(io.StringIO(stats.to_csv(st))))
    assert rows[0] == ["section", "key", "value"]
    table = {(r[0], r[1]): r[2] for r in rows[1:]}
    for name, counts in st.sections().items():
        for key, n in counts.items():
            assert table[(name, key)] == str(n)
    assert table[("queue", "median_hours_to_decision")] == "13.0"
    assert table[("totals", "items")] == "6"


def test_svg_escapes_labels() -> None:
    svg = stats.bar_chart("<b>t</b>", [("<script>x</script>", 3), ("a&b", 1)])
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "No data" in stats.bar_chart("empty", [])


def test_csv_defuses_formulas() -> None:
    st = stats.Stats(generated_at=NOW)
    st.items_by_source["=HYPERLINK(1)"] = 1
    assert "'=HYPERLINK(1)" in stats.to_csv(st)
