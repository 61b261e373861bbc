"""The numbers HMICFRS asked for: how much hate is online, against whom, where, and how fast
it is dealt with; as counts, as CSV for the force's returns, and as server-rendered SVG charts.

Counts are exact and come from grouped SQL (a few hundred groups per query, never a Python
step per row), so the page stays fast at a million items. Days are cut in SQL (UTC on both
engines) and folded into ISO weeks here, so SQLite and PostgreSQL give the same weeks and exactly
the database's numbers. Undone decisions are not counted: they were withdrawn by the person who
made them. Migration 0007 gives the date windows their indexes.
"""

from __future__ import annotations

import csv
import html
import io
import json
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from monitor.review import vocabulary
from monitor.storage.tables.cases import Case
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow

NONE = "(none)"
# The page's window when the URL names none: recent enough to stay fast at any size, long
# enough for a quarter's return. ``?since=`` (empty) asks for all time.
DEFAULT_WEEKS = 12


def default_since(today: date) -> date:
    """First day of the default window: the last 12 weeks, today included."""
    return today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1)


def iso_week(value: datetime) -> str:
    year, week, _ = value.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def _week_of_day(day: Any) -> str:
    """ISO week of a UTC day as SQL gave it back: a ``date`` (PostgreSQL) or 'YYYY-MM-DD'."""
    d = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class Stats:
    generated_at: datetime
    since: date | None = None
    until: date | None = None
    items_by_strand: Counter[str] = field(default_factory=Counter)
    items_by_platform: Counter[str] = field(default_factory=Counter)
    items_by_source: Counter[str] = field(default_factory=Counter)
    items_by_status: Counter[str] = field(default_factory=Counter)
    items_by_week: Counter[str] = field(default_factory=Counter)
    decisions_by_outcome: Counter[str] = field(default_factory=Counter)
    decisions_by_strand: Counter[str] = field(default_factory=Counter)
    decisions_by_platform: Counter[str] = field(default_factory=Counter)
    decisions_by_source: Counter[str] = field(default_factory=Counter)
    decisions_by_week: Counter[str] = field(default_factory=Counter)
    cases_by_status: Counter[str] = field(default_factory=Counter)
    cases_by_offence: Counter[str] = field(default_factory=Counter)
    cases_by_strand: Counter[str] = field(default_factory=Counter)
    cases_cyber_enabled: int = 0
    items_total: int = 0
    decisions_total: int = 0
    cases_total: int = 0
    open_items: int = 0
    oldest_open_at: datetime | None = None
    median_hours_to_decision: float | None = None

    @property
    def oldest_open_age_hours(self) -> float | None:
        if self.oldest_open_at is None:
            return None
        return round((self.generated_at - self.oldest_open_at).total_seconds() / 3600, 2)

    def sections(self) -> dict[str, Counter[str]]:
        """Every count table, in the order the page and the CSV show them."""
        return {
            "items_by_strand": self.items_by_strand,
            "items_by_platform": self.items_by_platform,
            "items_by_source": self.items_by_source,
            "items_by_status": self.items_by_status,
            "items_by_week": self.items_by_week,
            "decisions_by_outcome": self.decisions_by_outcome,
            "decisions_by_strand": self.decisions_by_strand,
            "decisions_by_platform": self.decisions_by_platform,
            "decisions_by_source": self.decisions_by_source,
            "decisions_by_week": self.decisions_by_week,
            "cases_by_status": self.cases_by_status,
            "cases_by_offence": self.cases_by_offence,
            "cases_by_strand": self.cases_by_strand,
        }


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """``until`` is inclusive: the whole of that UTC day counts."""
    lo = datetime.combine(since, time(), UTC) if since else None
    hi = datetime.combine(until + timedelta(days=1), time(), UTC) if until else None
    return lo, hi


def _in_range(query: Any, column: Any, lo: datetime | None, hi: datetime | None) -> Any:
    if lo is not None:
        query = query.where(column >= lo)
    if hi is not None:
        query = query.where(column < hi)
    return query


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, cut by the database so it can group on it."""
    if _postgres(session):
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    # SQLite stores UTCDateTime as naive UTC text 'YYYY-MM-DD HH:MM:SS...'.
    return sa.func.substr(column, 1, 10)


def _hours_between(session: Session, later: Any, earlier: Any) -> Any:
    if _postgres(session):
        return sa.extract("epoch", later - earlier) / 3600.0
    return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24.0


def _as_text(column: Any) -> Any:
    """JSON lists are grouped on as their text (PostgreSQL's json type has no equality)."""
    return sa.cast(column, sa.Text)


def _names(raw: Any) -> list[str]:
    """A JSON list column as SQL gave it back (text, or already decoded)."""
    value = json.loads(raw) if isinstance(raw, str) else raw
    return [str(v) for v in value] if value else [NONE]


def _aware(value: Any) -> datetime | None:
    """A bare ``MIN()`` loses the column type: SQLite gives back the stored naive-UTC text."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError(f"statistics: expected a timestamp from MIN(created_at), got {value!r}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def compute(
    session: Session, *, since: date | None = None, until: date | None = None,
    now: datetime | None = None,
) -> Stats:
    """Items and cases by when they were created, decisions by when they were made."""
    st = Stats(generated_at=now or utcnow(), since=since, until=until)
    lo, hi = _bounds(since, until)
    _items(session, st, lo, hi)
    _decisions(session, st, lo, hi)
    _cases(session, st, lo, hi)
    return st


def _source_names(session: Session) -> dict[int, str]:
    return {int(i): str(n) for i, n in session.exec(select(Source.id, Source.name)).all()
            if i is not None}


def _source_name(sources: Mapping[int, str], source_id: int | None) -> str:
    return sources.get(source_id, f"source {source_id}") if source_id is not None else NONE


def _items(session: Session, st: Stats, lo: datetime | None, hi: datetime | None) -> None:
    sources = _source_names(session)
    n = sa.func.count()
    created = col(QueueItem.created_at)
    # ix_queue_created_stats is partial on exactly this term (true of every row) so that the
    # desk's own date filter keeps its priority index; the term must be literal SQL for SQLite
    # to match it against the index (a bound parameter would not).
    every = sa.text("queue_items.id > 0")
    dims = (col(QueueItem.top_strand), col(QueueItem.platform), col(QueueItem.source_id),
            col(QueueItem.status))
    # One grouped pass for every item dimension (at most strands x platforms x sources x
    # statuses groups) and one for the days; both are range scans of ix_queue_created_stats.
    for strand, platform, source_id, status, k in session.execute(_in_range(
        sa.select(*dims, n).where(every).group_by(*dims), created, lo, hi,
    )).all():
        st.items_total += k
        st.items_by_strand[strand or NONE] += k
        st.items_by_platform[platform] += k
        st.items_by_source[_source_name(sources, source_id)] += k
        st.items_by_status[status] += k
    day = _utc_day(session, created)
    for d, k in session.execute(
        _in_range(sa.select(day, n).where(every).group_by(day), created, lo, hi)
    ).all():
        st.items_by_week[_week_of_day(d)] += k
    # Queue age is about now, whatever the date range. Two queries, so the count reads the
    # (status, priority) index and the oldest walks ix_queue_created_stats from its start.
    open_ = col(QueueItem.status) == "open"
    st.open_items = int(session.execute(sa.select(n).where(open_)).scalar_one())
    st.oldest_open_at = _aware(session.execute(
        sa.select(created).where(open_, every).order_by(created).limit(1)).scalar())


def _decisions(session: Session, st: Stats, lo: datetime | None, hi: datetime | None) -> None:
    sources = _source_names(session)
    created = col(Decision.created_at)
    live = col(Decision.undone_at).is_(None)
    hours = _hours_between(session, created, col(QueueItem.created_at))
    # The join to queue_items (platform, source, when it was queued) is the page's dearest
    # read: random look-ups, one per decision. It is read once, as a CTE that both engines
    # materialise because it is used three times: grouped for the counts, and sorted for the
    # two middle waits of the exact median (never shipping every wait to Python).
    j = _in_range(
        sa.select(col(Decision.outcome).label("outcome"),
                  _as_text(col(Decision.strands)).label("strands"),
                  col(QueueItem.platform).label("platform"),
                  col(QueueItem.source_id).label("source_id"),
                  sa.case((hours < 0, 0.0), else_=hours).label("wait"))
        .select_from(Decision)
        .join(QueueItem, col(QueueItem.id) == col(Decision.queue_item_id))
        .where(live),
        created, lo, hi,
    ).cte("live_decisions")
    middle = sa.select((sa.func.count() - 1) // 2).select_from(j).scalar_subquery()
    mid = sa.select(j.c.wait).order_by(j.c.wait).limit(2).offset(middle).subquery("mid")
    counts = sa.select(sa.literal(0).label("kind"), j.c.outcome, j.c.strands, j.c.platform,
                       j.c.source_id, sa.func.count().label("k"),
                       sa.cast(sa.null(), sa.Float).label("wait")
                       ).group_by(j.c.outcome, j.c.strands, j.c.platform, j.c.source_id)
    waits = sa.select(sa.literal(1), sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Text),
                      sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Integer),
                      sa.literal(0), mid.c.wait)
    middle_waits: list[float] = []
    for kind, outcome, strands, platform, source_id, k, wait in session.execute(
        sa.union_all(counts, waits)
    ).all():
        if kind == 1:
            middle_waits.append(float(wait))
            continue
        st.decisions_total += k
        st.decisions_by_outcome[outcome] += k
        for s in _names(strands):
            st.decisions_by_strand[s] += k
        st.decisions_by_platform[platform] += k
        st.decisions_by_source[_source_name(sources, source_id)] += k
    # LIMIT 2 from the middle: an odd count's median is the first, an even count's the mean.
    if st.decisions_total:
        pair = middle_waits[:1] if st.decisions_total % 2 else middle_waits[:2]
        st.median_hours_to_decision = round(statistics.fmean(pair), 2)
    n = sa.func.count()
    day = _utc_day(session, created)
    for d, k in session.execute(_in_range(
        sa.select(day, n).where(live).group_by(day), created, lo, hi,
    )).all():
        st.decisions_by_week[_week_of_day(d)] += k


def _cases(session: Session, st: Stats, lo: datetime | None, hi: datetime | None) -> None:
    cyber = sa.func.sum(sa.case((col(Case.cyber_enabled), 1), else_=0))
    dims = (col(Case.status), _as_text(col(Case.offences)), _as_text(col(Case.strands)))
    for status, offences, strands, k, k_cyber in session.execute(_in_range(
        sa.select(*dims, sa.func.count(), cyber).group_by(*dims), col(Case.created_at), lo, hi,
    )).all():
        st.cases_total += k
        st.cases_by_status[status] += k
        for o in _names(offences):
            st.cases_by_offence[o] += k
        for s in _names(strands):
            st.cases_by_strand[s] += k
        st.cases_cyber_enabled += int(k_cyber or 0)


def ordered(counts: Mapping[str, int], *, by_key: bool = False) -> list[tuple[str, int]]:
    """Largest first (weeks in time order), ties by name, so every rendering is stable."""
    if by_key:
        return sorted(counts.items())
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def to_csv(st: Stats) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["section", "key", "value"])
    w.writerow(["period", "since", st.since.isoformat() if st.since else ""])
    w.writerow(["period", "until", st.until.isoformat() if st.until else ""])
    w.writerow(["period", "generated_at", st.generated_at.isoformat()])
    w.writerow(["totals", "items", st.items_total])
    w.writerow(["totals", "decisions", st.decisions_total])
    w.writerow(["totals", "cases", st.cases_total])
    w.writerow(["totals", "cases_cyber_enabled", st.cases_cyber_enabled])
    w.writerow(["queue", "open_items", st.open_items])
    w.writerow(["queue", "oldest_open_created_at",
                st.oldest_open_at.isoformat() if st.oldest_open_at else ""])
    w.writerow(["queue", "oldest_open_age_hours", _blank(st.oldest_open_age_hours)])
    w.writerow(["queue", "median_hours_to_decision", _blank(st.median_hours_to_decision)])
    for name, counts in st.sections().items():
        for key, n in ordered(counts, by_key=name.endswith("_week")):
            w.writerow([name, _csv_safe(key), n])
    return buf.getvalue()


def _blank(value: float | None) -> str:
    return "" if value is None else str(value)


def _csv_safe(value: str) -> str:
    """Source names are typed by people; stop a spreadsheet reading one as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def bar_chart(
    title: str, rows: Iterable[tuple[str, int]], *, width: int = 640, heading: bool = True
) -> str:
    """A horizontal bar chart as an SVG string; every label is escaped (names come from users).
    ``heading=False`` when the page already shows the title (it stays as the accessible name)."""
    data = list(rows)
    bar_h, gap, label_w = 20, 6, 200
    top = 30 if heading else 4
    height = top + max(1, len(data)) * (bar_h + gap) + 4
    peak = max((n for _, n in data), default=0) or 1
    span = width - label_w - 60
    esc = html.escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}">',
        f"<title>{esc(title)}</title>",
    ]
    if heading:
        parts.append(f'<text x="0" y="18" font-size="15" font-weight="bold">{esc(title)}</text>')
    if not data:
        parts.append(f'<text x="0" y="{top + 14}" font-size="13">No data</text>')
    for i, (label, n) in enumerate(data):
        y = top + i * (bar_h + gap)
        w = round(span * n / peak)
        short = label if len(label) <= 28 else label[:27] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="13" text-anchor="end">'
            f"{esc(short)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="#1d70b8">'
            f"<title>{esc(label)}: {n}</title></rect>"
            f'<text x="{label_w + w + 6}" y="{y + 14}" font-size="13">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


CHART_TITLES: dict[str, str] = {
    "items_by_strand": "Queue items by strand",
    "items_by_platform": "Queue items by platform",
    "items_by_source": "Queue items by source",
    "items_by_status": "Queue items by status",
    "items_by_week": "Queue items by ISO week",
    "decisions_by_outcome": "Decisions by outcome",
    "decisions_by_strand": "Decisions by strand",
    "decisions_by_platform": "Decisions by platform",
    "decisions_by_source": "Decisions by source",
    "decisions_by_week": "Decisions by ISO week",
    "cases_by_status": "Cases by status",
    "cases_by_offence": "Cases by possible offence",
    "cases_by_strand": "Cases by strand",
}


# Which vocabulary labels each section's keys (sections not named here show their keys as
# they are: platforms, sources, weeks).
_KEY_KINDS = {
    "items_by_strand": "strand", "decisions_by_strand": "strand", "cases_by_strand": "strand",
    "items_by_status": "item_status", "decisions_by_outcome": "outcome",
    "cases_by_status": "case_status", "cases_by_offence": "offence",
}


def labelled(name: str, rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Rows with their keys as people read them ("Closed, no further action", not closed_nfa)."""
    kind = _KEY_KINDS.get(name)
    return [(vocabulary.label(kind, k), n) for k, n in rows] if kind else rows


def charts(st: Stats, *, heading: bool = True) -> dict[str, str]:
    return {
        name: bar_chart(CHART_TITLES[name],
                        labelled(name, ordered(counts, by_key=name.endswith("_week"))),
                        heading=heading)
        for name, counts in st.sections().items()
    }
