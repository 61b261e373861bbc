"""Intelligence submissions: grade an item decided "Hate - intelligence" (3x5x2) and hand it
over as a printable page, JSON or CSV; each one is recorded as a disclosure."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.cases import intelligence as intel
from monitor.cases.lifecycle import CaseError
from monitor.review import decisions
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError
from review_ui.render import render
from review_ui.views.common import current_user, int_param


def _load(db: Database, item_id: int) -> tuple[decisions.ItemContext | None, bool]:
    with db.read() as s:
        ready = intel.intelligence_decision(s, item_id) is not None
        return decisions.item_context(s, item_id), ready


def _page(request: web.Request, item_id: int, ctx: decisions.ItemContext, *, ready: bool,
          values: dict[str, str], errors: dict[str, str], status: int = 200) -> web.Response:
    return render(request, "intelligence/form.html", {
        "item_id": item_id, "capture": ctx.capture, "ready": ready, "values": values,
        "errors": errors, "sources": intel.SOURCE_EVALUATIONS,
        "assessments": intel.ASSESSMENTS, "handling": intel.HANDLING, "formats": intel.FORMATS,
    }, status=status)


async def _context(request: web.Request, item_id: int) -> tuple[decisions.ItemContext, bool]:
    db = request.app[keys.DB]
    ctx, ready = await db.run(_load, db, item_id)
    if ctx is None:
        raise DeskError(404, f"There is no queue item {item_id}.")
    return ctx, ready


async def form(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    ctx, ready = await _context(request, item_id)
    values = {"source": "", "assessment": "", "handling": "P", "conditions": "",
              "summary": "", "recipient": "", "justification": "", "format": "html"}
    return _page(request, item_id, ctx, ready=ready, values=values, errors={},
                 status=200 if ready else 409)


def _build(db: Database, user: User, item_id: int, grading: intel.Grading,
           values: dict[str, str]) -> tuple[intel.Submission, bytes]:
    with db.write() as s:
        return intel.build_submission(
            s, actor=user, item_id=item_id, grading=grading, summary=values["summary"],
            recipient=values["recipient"], justification=values["justification"],
            fmt=values["format"], now=utcnow())


async def submit(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    post = await request.post()
    names = ("source", "assessment", "handling", "conditions", "summary", "recipient",
             "justification", "format")
    values = {n: str(post.get(n, ""))[: intel.MAX_FIELD + 1] for n in names}
    grading, errors = intel.parse_grading(values["source"], values["assessment"],
                                          values["handling"], values["conditions"])
    if values["format"] not in intel.FORMATS:
        errors["format"] = f"format must be one of {', '.join(intel.FORMATS)}"
    for name in ("recipient", "justification"):
        if not values[name].strip():
            errors[name] = "required: it is logged with the disclosure (DPA 2018 s62)"
    ctx, ready = await _context(request, item_id)
    if grading is None or errors:
        return _page(request, item_id, ctx, ready=ready, values=values, errors=errors,
                     status=400)
    db = request.app[keys.DB]
    try:
        sub, body = await db.run(_build, db, current_user(request), item_id, grading, values)
    except CaseError as err:
        return _page(request, item_id, ctx, ready=ready, values=values,
                     errors={err.field: err.message}, status=409 if err.field == "item" else 400)
    name = f"intelligence-item-{item_id}-{sub.grading.code.replace('/', '')}"
    if values["format"] == "json":
        return web.Response(body=body, content_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="{name}.json"'})
    if values["format"] == "csv":
        return web.Response(body=body, content_type="text/csv", charset="utf-8", headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"'})
    context: dict[str, Any] = {"sub": sub, "item_id": item_id}
    return render(request, "intelligence/submission.html", context)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/items/{item_id}/intelligence", form, DESK, "intelligence_form"),
    Route("POST", "/items/{item_id}/intelligence", submit, DESK, "intelligence_submit"),
)
