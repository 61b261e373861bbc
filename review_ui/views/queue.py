"""The ranked queue page and the "next item" step that keeps triage moving."""

from __future__ import annotations

from aiohttp import web

from connectors.registry import CONNECTORS
from models.types import SEVERITIES
from monitor.review import decisions, priority, queue
from monitor.storage.db import Database
from monitor.storage.tables.review import Decision
from monitor.storage.types import utcnow
from review_ui import keys, params
from review_ui.access import DESK, Route
from review_ui.middlewares import redirect
from review_ui.render import render
from review_ui.views.common import current_user, desk_strands, message, queue_filters, with_query


def _page(
    db: Database, filters: queue.QueueFilters, after: str | None, user_id: int,
    undo_id: int | None,
) -> tuple[queue.QueuePage, list[tuple[int, str]], Decision | None]:
    with db.read() as s:
        undo = decisions.undoable(s, undo_id, user_id, now=utcnow()) if undo_id else None
        return queue.list_queue(s, filters, after=after), queue.source_choices(s), undo


async def queue_page(request: web.Request) -> web.StreamResponse:
    filters, errors = queue_filters(request)
    after = request.query.get("after")
    db = request.app[keys.DB]
    undo_id = params.optional_id(request.query, "undo")
    page, sources, undo = await db.run(_page, db, filters, after, current_user(request).id or 0,
                                       undo_id)
    fq = filters.to_query()
    weights = priority.PriorityWeights.from_settings(request.app[keys.SETTINGS])
    parts = {r.item_id: priority.parts(
        total=r.priority, p_hate=r.p_hate, severity=r.severity,
        language_supported=r.language_supported, posted_at=r.posted_at, queued_at=r.queued_at,
        w=weights) for r in page.rows}
    return render(request, "queue.html", {
        "page": page,
        "parts": parts,
        "filters": filters,
        "filter_query": fq,
        "errors": errors,
        "strands": desk_strands(request),
        "severities": SEVERITIES,
        "statuses": queue.STATUSES,
        "platforms": sorted(CONNECTORS),
        "sources": sources,
        "next_url": with_query("/queue", {**fq, "after": page.next_cursor})
        if page.next_cursor else None,
        "first_url": with_query("/queue", fq) if after else None,
        "start_url": with_query("/next", fq),
        "message": message(request),
        "me": current_user(request).username,
        "undo": undo,
        "undo_seconds": decisions.UNDO_SECONDS,
        "outcomes": decisions.OUTCOMES,
        "q": with_query("", fq),
    }, status=400 if errors else 200)  # the page explains each bad filter; the rest apply


def _claim_next(
    db: Database, user_id: int, filters: queue.QueueFilters, after: int | None, back: bool
) -> int | None:
    with db.write() as s:
        return queue.claim_next(s, user_id, filters, now=utcnow(), after_item=after,
                                backwards=back)


async def next_item(request: web.Request) -> web.StreamResponse:
    """Claim the next free item in queue order and open it (or say the queue is clear)."""
    user = current_user(request)
    filters, _ = queue_filters(request)
    after = params.optional_id(request.query, "after")
    back = request.query.get("dir") == "prev"
    db = request.app[keys.DB]
    item_id = await db.run(_claim_next, db, user.id or 0, filters, after, back)
    fq = filters.to_query()
    if item_id is None:
        if back and after is not None:
            return redirect(with_query(f"/items/{after}", fq))
        return redirect(with_query("/queue", {**fq, "msg": "clear",
                                              "undo": request.query.get("undo", "")}))
    extra = {"undo": request.query.get("undo", "")}
    return redirect(with_query(f"/items/{item_id}", {**fq, **extra}))


ROUTES: tuple[Route, ...] = (
    Route("GET", "/queue", queue_page, DESK, "queue"),
    Route("GET", "/next", next_item, DESK, "next"),
)
