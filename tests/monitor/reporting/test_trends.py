"""Weekly trends: counts per week and strand, time to decision, reviewed within 24 h."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from monitor.ingest.pipeline import process_posts_sync
from monitor.reporting import trends
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.review import QueueItem
from tests.support.fakes import FakeScorer, make_post

MONDAY = date(2026, 11, 2)


def _queue(db: Database, scorer: FakeScorer) -> list[int]:
    texts = ["muslims are scum, get out", "the immigrants are vermin", "lovely day"]
    ids = process_posts_sync(db, scorer, [make_post(i, t) for i, t in enumerate(texts)],
                             weights=PriorityWeights(), origin="import",
                             actor="t").queue_item_ids
    first = datetime.combine(MONDAY, datetime.min.time(), UTC) + timedelta(hours=9)
    with db.write() as s:
        s.execute(update(QueueItem).values(created_at=first))
        # One decided after 2 h, one after 3 days (so not within 24 h), one still open.
        s.execute(update(QueueItem).where(QueueItem.id == ids[0]).values(
            decided_at=first + timedelta(hours=2), status="decided"))
        s.execute(update(QueueItem).where(QueueItem.id == ids[1]).values(
            created_at=first + timedelta(weeks=1),
            decided_at=first + timedelta(weeks=1, days=3), status="decided"))
    return ids


def test_weekly_counts_median_and_share(db: Database, fake_scorer: FakeScorer) -> None:
    _queue(db, fake_scorer)
    with db.read() as s:
        tr = trends.compute_trends(s, since=MONDAY + timedelta(days=2),
                                   until=MONDAY + timedelta(days=8))
    w1, w2 = MONDAY, MONDAY + timedelta(weeks=1)
    assert tr.weeks == [w1, w2]
    assert sum(c[w1] for c in tr.items.values()) == 2
    assert sum(c[w2] for c in tr.items.values()) == 1
    assert tr.median_hours == {w1: 2.0, w2: 72.0}
    assert tr.reviewed_24h == {w1: 50, w2: 0}
    assert tr.queue_link(w1, "religion") == (
        "/queue?status=all&since=2026-11-02&until=2026-11-08&strand=religion")


def test_charts_readable_without_colour_and_csv(db: Database, fake_scorer: FakeScorer) -> None:
    _queue(db, fake_scorer)
    with db.read() as s:
        tr = trends.compute_trends(s, since=MONDAY, until=MONDAY + timedelta(days=13))
    charts = {c.key: c for c in trends.charts(tr)}
    assert set(charts) == {"items", "decisions", "cases", "median", "reviewed"}
    items = charts["items"]
    assert "Religion or belief" in items.svg and "religion" not in items.header
    # Lines differ by dash pattern (not colour) and every point links to the filtered queue.
    assert len(set(re.findall(r'stroke-dasharray="([^"]+)"', items.svg))) >= 1
    assert 'href="/queue?status=all&amp;since=2026-11-02' in items.svg
    assert "fill=\"#1d2329\"" in items.svg and "red" not in items.svg
    csv_text = trends.to_csv(tr)
    assert csv_text.splitlines()[0] == "Chart,Week starting,Series,Value"
    assert ('"Share of items reviewed within 24 hours, by week",2026-11-02,'
            "Reviewed within 24 h (%),50") in csv_text
