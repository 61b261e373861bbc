"""One item: the post as text, its evidence and context, the decision form, undo, evidence view."""

from __future__ import annotations

import hashlib
from typing import Any

from aiohttp import web

from monitor.intake.status import reports_for_item
from monitor.review import decisions, priority, queue, vocabulary
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.review import Decision
from monitor.storage.types import utcnow
from review_ui import keys, params
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError, redirect
from review_ui.render import render
from review_ui.views.common import current_user, int_param, message, queue_filters, with_query

MIN_JUSTIFICATION = 10


def _open(
    db: Database, item_id: int, user: User, undo_id: int | None
) -> tuple[bool | None, decisions.ItemContext | None, Decision | None]:
    now = utcnow()
    with db.write() as s:
        held = queue.open_for_review(s, item_id, user, now=now)
    if held is None:
        return None, None, None
    with db.read() as s:
        ctx = decisions.item_context(s, item_id)
        undo = decisions.undoable(s, undo_id, user.id or 0, now=now) if undo_id else None
    return held, ctx, undo


def _screenshots(db: Database, item_id: int) -> list[int]:
    # Moderators' screenshots belong beside the post they show, not behind a second page.
    with db.read() as s:
        return [sid for r in reports_for_item(s, item_id) for sid in r.screenshot_ids][:12]


def _context(db: Database, item_id: int) -> decisions.ItemContext | None:
    with db.read() as s:
        return decisions.item_context(s, item_id)


_EXEMPLAR_KEYS = ("nearest", "neighbours", "neighbors", "exemplars", "examples")
_SUMMARY_KEYS = ("summary", "why", "reason", "reasons")
# How the shipped model names the parts of its explanation, for people.
_PART_LABELS = {
    "model_version": "Model version", "language": "Language", "p_hate": "p(hate)",
    "strand": "Strand", "severity": "Severity", "reported": "reported", "hate_head": "hate head",
    "threat_head": "threat head", "p_threat": "p(threat)", "top": "top", "p": "p",
    "about": "about the group", "label": "label", "similarity": "similarity",
    "source": "source", "text": "text",
}


def explain(explanation: dict[str, Any]) -> dict[str, Any]:
    """The model's explanation as plain sentences for the template (its shape is the model's
    business; whatever it holds is shown as text, never as markup, and never as raw JSON)."""
    exemplars: list[dict[str, str]] = []
    other: list[tuple[str, str]] = []
    for key, value in explanation.items():
        if key in _EXEMPLAR_KEYS and isinstance(value, list):
            for ex in value[:10]:
                exemplars.append(_exemplar(ex))
        elif key not in _SUMMARY_KEYS:
            other.append((_PART_LABELS.get(str(key), vocabulary.readable(str(key))),
                          _plain(value, str(key))[:600]))
    return {"exemplars": exemplars, "other": other[:20]}


def _exemplar(ex: Any) -> dict[str, str]:
    if not isinstance(ex, dict):
        return {"text": _plain(ex)[:400], "about": ""}
    about = [
        str(ex["label"]) if ex.get("label") else "",
        vocabulary.label("strand", str(ex["strand"])) if ex.get("strand") else "",
        vocabulary.label("severity", str(ex["severity"])) if ex.get("severity") not in
        (None, "", "none") else "",
        f"similarity {_plain(ex['similarity'])}" if ex.get("similarity") is not None else "",
        f"from {ex['source']}" if ex.get("source") else "",
    ]
    return {"text": _plain(ex.get("text", ""))[:400], "about": " · ".join(a for a in about if a)}


def _plain(value: Any, key: str = "") -> str:
    """A value as a person reads it: numbers to 2-3 places, codes labelled, dicts as
    "name value; ..." (``json.dumps`` used to show braces and \\u00d7 escapes)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            name = str(k)
            if (key in ("about", "strand") and name in vocabulary.STRANDS) or (key == "p" and \
                    name in vocabulary.SEVERITIES):
                name = vocabulary.label("strand" if name in vocabulary.STRANDS else "severity",
                                        name)
            elif key == "strand" and name == "top" and isinstance(v, str):
                v = vocabulary.label("strand", v)
            else:
                name = _PART_LABELS.get(name, vocabulary.readable(name))
            if k == "why":
                parts.append(f"({_plain(v)})")
            else:
                parts.append(f"{name} {_plain(v, str(k))}")
        return "; ".join(parts)
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if key == "label" and isinstance(value, str) and value in vocabulary.SEVERITIES:
        return vocabulary.label("severity", value)
    return str(value)


def _default_form(ctx: decisions.ItemContext, strands: list[str]) -> dict[str, Any]:
    top = ctx.item.top_strand
    return {"outcome": "", "strands": [top] if top in strands else [], "perceived_by": "officer",
            "offences": [], "rationale": ""}


def _render_item(
    request: web.Request, ctx: decisions.ItemContext, *, held: bool, values: dict[str, Any],
    errors: dict[str, str], undo: Decision | None = None, conflict: str | None = None,
    status: int = 200, shots: list[int] | None = None,
) -> web.StreamResponse:
    filters, _ = queue_filters(request)
    fq = filters.to_query()
    user = current_user(request)
    item = ctx.item
    explanation = ctx.score.explanation if ctx.score else {}
    return render(request, "item.html", {
        "ctx": ctx,
        "item": item,
        "capture": ctx.capture,
        "score": ctx.score,
        "explanation": explanation,
        "reasons": explain(explanation),
        "why": queue.why_flagged(explanation, item.severity, item.top_strand, item.p_hate),
        "parts": priority.parts(
            total=item.priority, p_hate=item.p_hate, severity=item.severity,
            language_supported=item.language_supported, posted_at=ctx.capture.created_at,
            queued_at=item.created_at,
            w=priority.PriorityWeights.from_settings(request.app[keys.SETTINGS])),
        "held": held,
        "mine": held or (item.assignee_id == user.id and item.status == "open"),
        "values": values,
        "errors": errors,
        "conflict": conflict,
        "undo": undo,
        "undo_seconds": decisions.UNDO_SECONDS,
        "outcomes": decisions.OUTCOMES,
        "perceivers": decisions.PERCEIVERS,
        "offences": decisions.OFFENCES,
        "strands": request.app[keys.SETTINGS]["model.strands"],
        "fq": fq,
        "q": with_query("", fq),
        "next_url": with_query("/next", {**fq, "after": str(item.id)}),
        "prev_url": with_query("/next", {**fq, "after": str(item.id), "dir": "prev"}),
        "queue_url": with_query("/queue", fq),
        "message": message(request),
        "shots": shots or [],
    }, status=status)


async def item_page(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    user = current_user(request)
    undo_id = params.optional_id(request.query, "undo")
    db = request.app[keys.DB]
    held, ctx, undo = await db.run(_open, db, item_id, user, undo_id)
    if held is None or ctx is None:
        raise DeskError(404, f"There is no queue item {item_id}.")
    strands = request.app[keys.SETTINGS]["model.strands"]
    shots = await db.run(_screenshots, db, item_id)
    return _render_item(request, ctx, held=held, values=_default_form(ctx, strands), errors={},
                        undo=undo, shots=shots)


def _decide(db: Database, item_id: int, user: User, data: decisions.DecisionInput) -> Decision:
    with db.write() as s:
        return decisions.record_decision(s, item_id=item_id, user=user, data=data, now=utcnow())


def _form_list(form: Any, name: str) -> list[str]:
    return [str(v) for v in form.getall(name, [])][:50]


async def decide(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    user = current_user(request)
    db = request.app[keys.DB]
    form = await request.post()
    parsed = decisions.parse_decision(
        str(form.get("outcome", "")), _form_list(form, "strands"),
        str(form.get("perceived_by", "")), _form_list(form, "offences"),
        str(form.get("rationale", "")),
        allowed_strands=request.app[keys.SETTINGS]["model.strands"],
    )
    conflict = None
    if parsed.data is not None:
        try:
            decision = await db.run(_decide, db, item_id, user, parsed.data)
        except decisions.DecisionConflict as err:
            conflict = str(err)
        else:
            if decision.outcome == "possible_crime":
                # Recording a possible crime is the start of an escalation: open its form,
                # prefilled from this decision, instead of moving on to the next item.
                return redirect(with_query("/cases/new", {"items": str(item_id),
                                                          "decided": "possible_crime"}))
            filters, _ = queue_filters(request)
            return redirect(with_query("/next", {**filters.to_query(), "after": str(item_id),
                                                 "undo": str(decision.id)}))
    ctx = await db.run(_context, db, item_id)
    if ctx is None:
        raise DeskError(404, f"There is no queue item {item_id}.")
    held = ctx.item.status == "open" and ctx.item.assignee_id == user.id
    return _render_item(request, ctx, held=held, values=parsed.values, errors=parsed.errors,
                        conflict=conflict, status=409 if conflict else 400)


def _undo(db: Database, decision_id: int, user: User) -> Decision:
    with db.write() as s:
        return decisions.undo_decision(s, decision_id=decision_id, user=user, now=utcnow())


async def undo(request: web.Request) -> web.StreamResponse:
    decision_id = int_param(request, "decision_id")
    db = request.app[keys.DB]
    try:
        decision = await db.run(_undo, db, decision_id, current_user(request))
    except decisions.DecisionConflict as err:
        raise DeskError(409, f"Could not undo: {err}.") from err
    filters, _ = queue_filters(request)
    return redirect(with_query(f"/items/{decision.queue_item_id}",
                               {**filters.to_query(), "msg": "undone"}))


def _claim(db: Database, item_id: int, user_id: int) -> bool:
    with db.write() as s:
        return queue.claim(s, item_id, user_id, now=utcnow())


async def claim_api(request: web.Request) -> web.StreamResponse:
    """Renew the lock while the page stays open (called by desk.js with X-CSRF-Token)."""
    item_id = int_param(request, "item_id")
    db = request.app[keys.DB]
    held = await db.run(_claim, db, item_id, current_user(request).id or 0)
    return web.json_response({"item_id": item_id, "claimed": held})


def _release(db: Database, item_id: int, user_id: int) -> bool:
    with db.write() as s:
        return queue.release(s, item_id, user_id)


async def release(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    db = request.app[keys.DB]
    await db.run(_release, db, item_id, current_user(request).id or 0)
    filters, _ = queue_filters(request)
    return redirect(with_query("/queue", {**filters.to_query(), "msg": "released"}))


async def evidence_form(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    return render(request, "evidence_ask.html", {"item_id": item_id, "error": None,
                                                 "reason": ""})


def _raw(db: Database, item_id: int, user: User, reason: str) -> Any:
    with db.write() as s:
        return queue.consult_raw(s, item_id, user, reason=reason)


async def evidence(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    form = await request.post()
    reason = str(form.get("reason", "")).strip()[:2000]
    if len(reason) < MIN_JUSTIFICATION:
        return render(request, "evidence_ask.html", {
            "item_id": item_id, "reason": reason,
            "error": f"Say why you need the raw capture (at least {MIN_JUSTIFICATION} "
                     "characters); it is recorded in the consultation log."}, status=400)
    db = request.app[keys.DB]
    capture = await db.run(_raw, db, item_id, current_user(request), reason)
    if capture is None:
        raise DeskError(404, f"There is no queue item {item_id}.")
    actual = hashlib.sha256(capture.raw).hexdigest()
    return render(request, "evidence.html", {
        "item_id": item_id, "capture": capture, "reason": reason,
        "raw_text": capture.raw.decode("utf-8", errors="replace"),
        "actual_sha256": actual, "intact": actual == capture.raw_sha256,
    })


ROUTES: tuple[Route, ...] = (
    Route("GET", "/items/{item_id}", item_page, DESK, "item"),
    Route("POST", "/items/{item_id}/decide", decide, DESK, "decide"),
    Route("POST", "/items/{item_id}/release", release, DESK, "release"),
    Route("GET", "/items/{item_id}/evidence", evidence_form, DESK, "evidence_form"),
    Route("POST", "/items/{item_id}/evidence", evidence, DESK, "evidence"),
    Route("POST", "/decisions/{decision_id}/undo", undo, DESK, "undo"),
    Route("POST", "/api/items/{item_id}/claim", claim_api, DESK, "claim"),
)
