"""Weekly trends for the statistics page: what changed over time, not only how many.

Per ISO week (Monday to Sunday, UTC): queue items and decisions per strand, cases opened and
closed, the median time from queueing to decision, and the share of items reviewed within
24 hours. Each series links to the queue filtered to what it counts. Charts are SVG drawn
here (nothing is fetched at run time) and readable without colour: every line has its own dash
pattern and marker and is labelled at its end, and a table carries the same numbers.
"""

from __future__ import annotations

import csv
import html
import io
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlmodel import Session, col, select

from monitor.review import vocabulary
from monitor.storage.tables.cases import Case, CaseEvent
from monitor.storage.tables.review import Decision, QueueItem

NO_STRAND = "none"
REVIEW_HOURS = 24


def week_start(value: date) -> date:
    return value - timedelta(days=value.weekday())


def _day(value: datetime) -> date:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).date()


@dataclass
class Trends:
    weeks: list[date]
    items: dict[str, Counter[date]] = field(default_factory=dict)
    decisions: dict[str, Counter[date]] = field(default_factory=dict)
    cases_opened: Counter[date] = field(default_factory=Counter)
    cases_closed: Counter[date] = field(default_factory=Counter)
    median_hours: dict[date, float | None] = field(default_factory=dict)
    reviewed_24h: dict[date, float | None] = field(default_factory=dict)

    def queue_link(self, week: date, strand: str | None = None) -> str:
        """The queue filtered to the items a point counts (any status, that week)."""
        query = {"status": "all", "since": week.isoformat(),
                 "until": (week + timedelta(days=6)).isoformat()}
        if strand and strand != NO_STRAND:
            query["strand"] = strand
        return "/queue?" + urlencode(query)


def compute_trends(session: Session, *, since: date, until: date,
                   trim_empty_start: bool = False) -> Trends:
    """Weeks from the one holding ``since`` to the one holding ``until`` (inclusive)."""
    first, last = week_start(since), week_start(until)
    weeks = [first + timedelta(weeks=i) for i in range((last - first).days // 7 + 1)]
    lo = datetime.combine(first, time(), UTC)
    hi = datetime.combine(last + timedelta(days=7), time(), UTC)
    tr = Trends(weeks=weeks)
    items: dict[str, Counter[date]] = defaultdict(Counter)
    waits: dict[date, list[float]] = defaultdict(list)
    rows = session.exec(
        select(QueueItem.created_at, QueueItem.top_strand, QueueItem.decided_at)
        .where(col(QueueItem.created_at) >= lo, col(QueueItem.created_at) < hi)
    ).all()
    for created, strand, decided_at in rows:
        wk = week_start(_day(created))
        items[strand or NO_STRAND][wk] += 1
        if decided_at is not None:
            c = created if created.tzinfo else created.replace(tzinfo=UTC)
            d = decided_at if decided_at.tzinfo else decided_at.replace(tzinfo=UTC)
            waits[wk].append(max(0.0, (d - c).total_seconds() / 3600))
    totals = Counter(week_start(_day(r[0])) for r in rows)
    for wk in weeks:
        hours = waits.get(wk, [])
        tr.median_hours[wk] = round(statistics.median(hours), 1) if hours else None
        n = totals.get(wk, 0)
        tr.reviewed_24h[wk] = (round(100 * sum(h <= REVIEW_HOURS for h in hours) / n)
                               if n else None)
    decided: dict[str, Counter[date]] = defaultdict(Counter)
    for created, strands in session.exec(
        select(Decision.created_at, Decision.strands)
        .where(col(Decision.created_at) >= lo, col(Decision.created_at) < hi,
               col(Decision.undone_at).is_(None))
    ).all():
        for s in strands or [NO_STRAND]:
            decided[s][week_start(_day(created))] += 1
    for created in session.exec(
        select(Case.created_at).where(col(Case.created_at) >= lo, col(Case.created_at) < hi)
    ).all():
        tr.cases_opened[week_start(_day(created))] += 1
    for created in session.exec(
        select(CaseEvent.created_at).where(
            CaseEvent.to_status == "closed_nfa", col(CaseEvent.created_at) >= lo,
            col(CaseEvent.created_at) < hi)
    ).all():
        tr.cases_closed[week_start(_day(created))] += 1
    tr.items = dict(sorted(items.items()))
    tr.decisions = dict(sorted(decided.items()))
    if trim_empty_start:
        tr.weeks = _from_first_data(tr)
    return tr


def _from_first_data(tr: Trends) -> list[date]:
    """Weeks from the first with anything in it ("all time" should not draw a year of 0s)."""
    busy = [w for w in tr.weeks if any(c.get(w) for c in (*tr.items.values(),
                                                            *tr.decisions.values(),
                                                            tr.cases_opened, tr.cases_closed))]
    return [w for w in tr.weeks if w >= busy[0]] if busy else tr.weeks[-1:]


# --- charts ---------------------------------------------------------------------------------

# Told apart without colour: a dash pattern and a marker shape per series.
_DASHES = ("", "6 3", "2 3", "10 4 2 4", "1 5", "12 3", "4 2 1 2")
_MARKERS = ("circle", "square", "triangle", "diamond", "cross", "circle", "square")


def _marker(kind: str, x: float, y: float) -> str:
    if kind == "square":
        return f'<rect x="{x - 3:.1f}" y="{y - 3:.1f}" width="6" height="6"/>'
    if kind == "triangle":
        return (f'<path d="M{x:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 3:.1f} '
                f'L{x - 4:.1f},{y + 3:.1f} Z"/>')
    if kind == "diamond":
        return (f'<path d="M{x:.1f},{y - 4:.1f} L{x + 4:.1f},{y:.1f} L{x:.1f},{y + 4:.1f} '
                f'L{x - 4:.1f},{y:.1f} Z"/>')
    if kind == "cross":
        return (f'<path d="M{x - 4:.1f},{y - 4:.1f} L{x + 4:.1f},{y + 4:.1f} M{x - 4:.1f},'
                f'{y + 4:.1f} L{x + 4:.1f},{y - 4:.1f}" fill="none" stroke-width="2"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'


Series = tuple[str, Sequence[float | None], Sequence[str]]


def line_chart(title: str, weeks: list[date], series: Sequence[Series], *, unit: str = "",
               width: int = 720, height: int = 240) -> str:
    """Weekly lines; ``series`` is (label, value per week, queue link per week). Each point is a
    link with a title naming the week, series and value; each line is labelled at its end."""
    esc = html.escape
    left, right, top, bottom = 44, 170, 12, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for _, vals, _ in series for v in vals if v is not None] or [0]) or 1
    step = plot_w / max(1, len(weeks) - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + i * step, top + plot_h - plot_h * v / peak

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}" '
           f'class="trend">', f"<title>{esc(title)}</title>",
           f'<g font-size="11" fill="#333"><text x="0" y="{top + 8}">{peak:g}{esc(unit)}</text>'
           f'<text x="0" y="{top + plot_h}">0</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
           'stroke="#999"/>']
    every = -(-len(weeks) // 10)  # at most about ten dates on the axis, or they overlap
    for i, wk in enumerate(weeks):
        if i % every == 0:
            x = left + i * step
            out.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">'
                       f'{wk:%d %b}</text>')
    out.append("</g>")
    for n, (label, values, links) in enumerate(series):
        dash = _DASHES[n % len(_DASHES)]
        pts = [(i, v) for i, v in enumerate(values) if v is not None]
        path = " ".join(f"{'M' if k == 0 else 'L'}{xy(i, v)[0]:.1f},{xy(i, v)[1]:.1f}"
                        for k, (i, v) in enumerate(pts))
        out.append('<g class="series" stroke="#1d2329" fill="#1d2329">')
        if path:
            out.append(f'<path d="{path}" fill="none" stroke-width="2"'
                       + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        for i, v in pts:
            x, y = xy(i, v)
            out.append(f'<a href="{esc(links[i])}"><title>{esc(label)}, week of '
                       f'{weeks[i]:%d %b %Y}: {v:g}{esc(unit)}</title>'
                       f'{_marker(_MARKERS[n % len(_MARKERS)], x, y)}</a>')
        out.append("</g>")
    # End labels, pushed apart so that lines ending close together stay readable.
    ends = sorted(((xy(*pts[-1]), label) for label, values, _ in series
                   if (pts := [(i, v) for i, v in enumerate(values) if v is not None])),
                  key=lambda e: e[0][1])
    last_y = -1e9
    for (x, y), label in ends:
        y = max(y + 4, last_y + 13)
        last_y = y
        out.append(f'<text x="{x + 8:.1f}" y="{y:.1f}" font-size="12">{esc(label)}</text>')
    out.append("</svg>")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class TrendChart:
    key: str
    title: str
    svg: str
    header: list[str]
    rows: list[list[str]]


def charts(tr: Trends) -> list[TrendChart]:
    weeks = tr.weeks
    out: list[TrendChart] = []
    for key, title, table in (("items", "Queue items per strand, by week", tr.items),
                              ("decisions", "Decisions per strand, by week", tr.decisions)):
        series = [(vocabulary.label("strand", s, empty="No strand") if s != NO_STRAND
                   else "No strand", [float(c.get(w, 0)) for w in weeks],
                   [tr.queue_link(w, s) for w in weeks]) for s, c in table.items()]
        out.append(TrendChart(key, title, line_chart(title, weeks, series),
                              ["Week", *[s[0] for s in series]],
                              [[f"{w:%Y-%m-%d}", *[f"{s[1][i]:g}" for s in series]]
                               for i, w in enumerate(weeks)]))
    links = [tr.queue_link(w) for w in weeks]
    opened = [float(tr.cases_opened.get(w, 0)) for w in weeks]
    closed = [float(tr.cases_closed.get(w, 0)) for w in weeks]
    cases_links = ["/cases" for _ in weeks]
    out.append(TrendChart("cases", "Cases opened and closed, by week", line_chart(
        "Cases opened and closed, by week", weeks,
        [("Opened", opened, cases_links), ("Closed, no further action", closed, cases_links)]),
        ["Week", "Opened", "Closed"],
        [[f"{w:%Y-%m-%d}", f"{opened[i]:g}", f"{closed[i]:g}"] for i, w in enumerate(weeks)]))
    median = [tr.median_hours.get(w) for w in weeks]
    out.append(TrendChart("median", "Median hours from queueing to decision, by week",
                          line_chart("Median hours to decision", weeks,
                                     [("Median hours", median, links)], unit=" h"),
                          ["Week", "Median hours"],
                          [[f"{w:%Y-%m-%d}", "" if median[i] is None else f"{median[i]:g}"]
                           for i, w in enumerate(weeks)]))
    share = [None if (v := tr.reviewed_24h.get(w)) is None else float(v) for w in weeks]
    out.append(TrendChart("reviewed", "Share of items reviewed within 24 hours, by week",
                          line_chart("Reviewed within 24 hours", weeks,
                                     [("Within 24 h", share, links)], unit="%"),
                          ["Week", "Reviewed within 24 h (%)"],
                          [[f"{w:%Y-%m-%d}", "" if share[i] is None else f"{share[i]:g}"]
                           for i, w in enumerate(weeks)]))
    return out


def to_csv(tr: Trends) -> str:
    """One row per chart, week and series, with human headers."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Chart", "Week starting", "Series", "Value"])
    for chart in charts(tr):
        for row in chart.rows:
            for name, value in zip(chart.header[1:], row[1:], strict=True):
                w.writerow([chart.title, row[0], name, value])
    return buf.getvalue()
