"""Bulk decisions on a near-duplicate group or on one author's open items, after confirmation."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.review import decisions
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError, redirect
from review_ui.render import render
from review_ui.views.common import current_user


def _target(data: Any) -> decisions.BulkTarget:
    kind = str(data.get("kind", ""))
    key = str(data.get("key", ""))[:255]
    if kind not in ("group", "author") or not key:
        raise DeskError(400, "A bulk decision needs kind=group or kind=author and a key.")
    platform = str(data.get("platform", ""))[:32] or None
    return decisions.BulkTarget(kind, key, platform)


def _candidates(db: Database, target: decisions.BulkTarget, user_id: int
                ) -> list[decisions.BulkCandidate]:
    with db.read() as s:
        return decisions.bulk_candidates(s, target, user_id, now=utcnow())


def _render(request: web.Request, target: decisions.BulkTarget,
            candidates: list[decisions.BulkCandidate], values: dict[str, Any],
            errors: dict[str, str], status: int = 200) -> web.StreamResponse:
    return render(request, "bulk.html", {
        "target": target, "candidates": candidates, "values": values, "errors": errors,
        "outcomes": decisions.OUTCOMES, "perceivers": decisions.PERCEIVERS,
        "offences": decisions.OFFENCES,
        "strands": request.app[keys.SETTINGS]["model.strands"],
    }, status=status)


async def bulk_form(request: web.Request) -> web.StreamResponse:
    target = _target(request.query)
    db = request.app[keys.DB]
    candidates = await db.run(_candidates, db, target, current_user(request).id or 0)
    values = {"outcome": "not_hate", "strands": [], "perceived_by": "officer", "offences": [],
              "rationale": ""}
    return _render(request, target, candidates, values, {})


def _apply(db: Database, target: decisions.BulkTarget, ids: list[int], user: User,
           data: decisions.DecisionInput) -> int:
    with db.write() as s:
        return len(decisions.bulk_decide(s, target=target, item_ids=ids, user=user, data=data,
                                         now=utcnow()))


async def bulk_apply(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    target = _target(form)
    user = current_user(request)
    ids = [int(v) for v in form.getall("item_ids", []) if isinstance(v, str) and v.isdigit()]
    parsed = decisions.parse_decision(
        str(form.get("outcome", "")), [str(v) for v in form.getall("strands", [])],
        str(form.get("perceived_by", "")), [str(v) for v in form.getall("offences", [])],
        str(form.get("rationale", "")),
        allowed_strands=request.app[keys.SETTINGS]["model.strands"],
    )
    errors = dict(parsed.errors)
    if form.get("confirm") != "yes":
        errors["confirm"] = "Tick the box to confirm you have read every item listed."
    if not ids:
        errors["confirm"] = "There are no items to decide."
    db = request.app[keys.DB]
    if errors or parsed.data is None:
        candidates = await db.run(_candidates, db, target, user.id or 0)
        return _render(request, target, candidates, parsed.values, errors, status=400)
    await db.run(_apply, db, target, ids, user, parsed.data)
    return redirect("/queue?msg=bulk")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/bulk", bulk_form, DESK, "bulk_form"),
    Route("POST", "/bulk", bulk_apply, DESK, "bulk"),
)
