"""The statistics page (server-rendered SVG charts) and its CSV download for the force's returns."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web
from markupsafe import Markup

from monitor.reporting import stats, trends
from monitor.storage.db import Database
from monitor.storage.types import utcnow
from review_ui import keys, params
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError
from review_ui.render import render


def _day(request: web.Request, name: str) -> date | None:
    return params.optional_day(request.query, name)


def _compute(db: Database, since: date | None, until: date | None) -> stats.Stats:
    with db.read() as s:
        return stats.compute(s, since=since, until=until)


# "All time" trends are drawn over the last year at most: a weekly chart of years is unreadable.
TREND_MAX_WEEKS = 52


def _trends(db: Database, since: date | None, until: date | None) -> trends.Trends:
    end = until or utcnow().date()
    start = max(since or date.min, end - timedelta(weeks=TREND_MAX_WEEKS))
    with db.read() as s:
        return trends.compute_trends(s, since=start, until=end, trim_empty_start=since is None)


def _window(request: web.Request) -> tuple[date | None, date | None]:
    """The URL's dates; with no ``since`` at all, the last 12 weeks (so the page stays fast on
    a big database). ``since=`` left empty means from the beginning."""
    since, until = _day(request, "since"), _day(request, "until")
    if "since" not in request.query:
        since = stats.default_since(utcnow().date())
    if since and until and since > until:
        raise DeskError(400, f"since {since} is after until {until}: nothing to count")
    return since, until


async def stats_page(request: web.Request) -> web.StreamResponse:
    since, until = _window(request)
    db = request.app[keys.DB]
    st = await db.run(_compute, db, since, until)
    tr = await db.run(_trends, db, since, until)
    # trends.line_chart escapes every label itself, as bar_chart does.
    trend_charts = [(c, Markup(c.svg)) for c in trends.charts(tr)]  # noqa: S704
    # bar_chart escapes every label itself, so its output is safe markup by construction.
    charts = {name: Markup(svg) for name, svg in stats.charts(st, heading=False).items()}  # noqa: S704
    return render(request, "stats/index.html", {
        "st": st, "charts": charts, "titles": stats.CHART_TITLES, "trend_charts": trend_charts,
        "since": since.isoformat() if since else "", "until": until.isoformat() if until else "",
        "default_weeks": stats.DEFAULT_WEEKS,
        "tables": {n: stats.labelled(n, stats.ordered(c, by_key=n.endswith("_week")))
                   for n, c in st.sections().items()},
    })


async def stats_csv(request: web.Request) -> web.StreamResponse:
    since, until = _window(request)
    db = request.app[keys.DB]
    st = await db.run(_compute, db, since, until)
    name = f"hate-monitor-stats-{utcnow():%Y%m%d}.csv"
    return web.Response(text=stats.to_csv(st), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


async def trends_csv(request: web.Request) -> web.StreamResponse:
    since, until = _window(request)
    db = request.app[keys.DB]
    tr = await db.run(_trends, db, since, until)
    name = f"hate-monitor-trends-{utcnow():%Y%m%d}.csv"
    return web.Response(text=trends.to_csv(tr), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES: tuple[Route, ...] = (
    Route("GET", "/stats", stats_page, DESK, "stats"),
    Route("GET", "/stats.csv", stats_csv, DESK, "stats_csv"),
    Route("GET", "/stats/trends.csv", trends_csv, DESK, "stats_trends_csv"),
)
