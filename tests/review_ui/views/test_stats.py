"""The statistics window: the page's default, and exact agreement with the database inside any
window (the grouped SQL must give the same numbers as counting the rows one by one)."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, time, timedelta

import pytest
from aiohttp.test_utils import make_mocked_request
from sqlmodel import select

from monitor.reporting import stats
from monitor.storage.db import Database
from monitor.storage.tables.review import Decision, QueueItem
from review_ui.middlewares import DeskError
from review_ui.views import stats as views_stats
from tests.support.cases import World

NOW = datetime(2026, 11, 12, 10, 0, tzinfo=UTC)
WINDOWS = [(None, None), (date(2026, 11, 9), None), (None, date(2026, 11, 10)),
           (date(2026, 11, 2), date(2026, 11, 2)), (date(2026, 11, 11), date(2026, 11, 11)),
           (date(2027, 1, 1), None)]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_every_window_agrees_with_row_by_row_counts(
    db: Database, world: World, since: date | None, until: date | None
) -> None:
    lo = datetime.combine(since, time(), UTC) if since else datetime.min.replace(tzinfo=UTC)
    hi = (datetime.combine(until + timedelta(days=1), time(), UTC) if until
          else datetime.max.replace(tzinfo=UTC))
    with db.read() as s:
        st = stats.compute(s, since=since, until=until, now=NOW)
        items = [q for q in s.exec(select(QueueItem)).all() if lo <= q.created_at < hi]
        pairs = s.exec(select(Decision, QueueItem)
                       .where(Decision.queue_item_id == QueueItem.id)).all()
    live = [(d, q) for d, q in pairs if d.undone_at is None and lo <= d.created_at < hi]
    assert st.items_total == len(items)
    assert st.items_by_week == {k: v for k, v in
                                _count(stats.iso_week(q.created_at) for q in items).items()}
    assert st.items_by_platform == _count(q.platform for q in items)
    assert st.decisions_total == len(live)
    assert st.decisions_by_week == _count(stats.iso_week(d.created_at) for d, _ in live)
    assert st.decisions_by_source == _count(
        "leeds-group" if q.source_id else "(none)" for _, q in live)
    waits = [max(0.0, (d.created_at - q.created_at).total_seconds() / 3600) for d, q in live]
    assert st.median_hours_to_decision == (round(statistics.median(waits), 2) if waits else None)


def _count(keys: object) -> dict[str, int]:
    out: dict[str, int] = {}
    for k in keys:  # type: ignore[attr-defined]
        out[k] = out.get(k, 0) + 1
    return out


def test_page_defaults_to_the_last_twelve_weeks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views_stats, "utcnow", lambda: NOW)
    assert views_stats._window(make_mocked_request("GET", "/stats")) == (
        date(2026, 8, 21), None)
    assert stats.default_since(date(2026, 11, 12)) == date(2026, 8, 21)  # 84 days, today too
    assert views_stats._window(make_mocked_request("GET", "/stats?since=")) == (None, None)
    assert views_stats._window(
        make_mocked_request("GET", "/stats.csv?since=2026-01-01&until=2026-02-01")
    ) == (date(2026, 1, 1), date(2026, 2, 1))


def test_backwards_window_is_refused() -> None:
    with pytest.raises(DeskError) as err:
        views_stats._window(make_mocked_request("GET", "/stats?since=2026-02-01&until=2026-01-01"))
    assert err.value.status == 400 and "after until" in (err.value.text or "")
