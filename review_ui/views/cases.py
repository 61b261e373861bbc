"""Case pages: escalate from the queue, list, detail with lifecycle actions, notes, contacts,
evidence-pack export. Views hold no SQL: they call monitor.cases.lifecycle, monitor.cases.read and
monitor.cases.evidence_pack in a worker thread, and show ``CaseError`` next to the field it
names."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web
from multidict import MultiDictProxy

from monitor.accounts.users import get_user
from monitor.cases import contacts as case_contacts
from monitor.cases import lifecycle as cases
from monitor.cases.evidence_pack import build_pack
from monitor.cases.read import (
    case_detail,
    case_workers,
    item_previews,
    list_cases,
    open_case_choices,
    rationale_from_decisions,
)
from monitor.review.decisions import OFFENCES, PERCEIVERS
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from review_ui import keys, params
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError, redirect
from review_ui.render import render
from review_ui.views.common import current_user

T = TypeVar("T")
Form = MultiDictProxy[str | Any]



def _db(request: web.Request) -> Database:
    return request.app[keys.DB]


async def _run(request: web.Request, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
    """Blocking case work in a thread; a missing case is a 404, a forbidden action a 403."""
    try:
        return await _db(request).run(fn, *args, **kw)
    except cases.CasePermissionError as err:
        raise DeskError(403, str(err)) from err


def _ref(request: web.Request) -> str:
    return request.match_info["reference"]


def _ids(values: Sequence[object]) -> list[int]:
    return params.id_list(values, "items")


def _strs(form: Form, name: str) -> list[str]:
    return [str(v) for v in form.getall(name, [])]


def _common(request: web.Request) -> dict[str, Any]:
    settings = request.app[keys.SETTINGS]
    return {"statuses": cases.STATUSES, "transitions": cases.TRANSITIONS,
            "strands": list(settings["model.strands"]), "offences": OFFENCES,
            "perceivers": PERCEIVERS, "contact_roles": case_contacts.CONTACT_ROLES}


# --------------------------------------------------------------------------- list, escalate


async def case_list(request: web.Request) -> web.StreamResponse:
    status = request.query.get("status", "")
    status = status if status in cases.STATUSES else ""
    db = _db(request)

    def load() -> Any:
        with db.read() as s:
            return list_cases(s, status=status or None)

    rows = await _run(request, load)
    return render(request, "cases/list.html", {**_common(request), "rows": rows, "status": status})


def _new_context(db: Database, ids: list[int]) -> dict[str, Any]:
    with db.read() as s:
        previews = item_previews(s, ids)
        strands, offences, perception = cases.defaults_from_decisions(s, ids)
        reason = rationale_from_decisions(s, ids)
        choices = open_case_choices(s)
    return {"previews": previews, "choices": choices,
            "values": {"items": ids, "title": "", "reason": reason, "strands": strands,
                       "offences": offences, "perception": perception or "",
                       "cyber_enabled": True, "existing": ""}}


async def new_case_form(request: web.Request) -> web.StreamResponse:
    ids = _ids(request.query.getall("items", []))
    ctx = await _run(request, _new_context, _db(request), ids)
    # Arriving straight from a "possible crime" decision: say it was recorded, and offer the
    # way back to triage, so the form is a step in the flow and not a detour.
    decided = request.query.get("decided", "")
    after = str(ids[0]) if decided == "possible_crime" and ids else ""
    return render(request, "cases/new.html", {
        **_common(request), **ctx, "errors": {},
        "decided": bool(after),
        "skip_url": f"/next?after={after}" if after else "",
    })


async def create_case(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    user = current_user(request)
    settings = request.app[keys.SETTINGS]
    db = _db(request)
    ids = _ids(_strs(form, "items"))
    values: dict[str, Any] = {"items": ids, "title": str(form.get("title", "")),
              "reason": str(form.get("reason", "")), "strands": _strs(form, "strands"),
              "offences": _strs(form, "offences"), "perception": str(form.get("perception", "")),
              "cyber_enabled": form.get("cyber_enabled") == "yes",
              "existing": str(form.get("existing", ""))}

    def write() -> str:
        with db.write() as s:
            if values["existing"]:
                return cases.add_items(s, actor=user, reference=values["existing"], item_ids=ids,
                                       reason=values["reason"]).reference
            return cases.create_case(
                s, actor=user, item_ids=ids, reason=values["reason"],
                allowed_strands=settings["model.strands"],
                case_years=settings["retention.case_years"], title=values["title"],
                strands=values["strands"], offences=values["offences"],
                perception=values["perception"], cyber_enabled=values["cyber_enabled"],
            ).reference

    try:
        ref = await _run(request, write)
    except cases.CaseError as err:
        ctx = await _run(request, _new_context, db, ids)
        field = "existing" if err.field == "reference" else err.field
        return render(request, "cases/new.html",
                      {**_common(request), **ctx, "values": values,
                       "errors": {field: err.message}}, status=400)
    return redirect(f"/cases/{ref}?msg=saved")


# --------------------------------------------------------------------------- detail, actions


async def _render_detail(
    request: web.Request, *, errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None, status: int = 200,
) -> web.StreamResponse:
    db = _db(request)
    ref = _ref(request)
    user = current_user(request)

    def load() -> Any:
        with db.read() as s:
            detail = case_detail(s, ref)
            return detail, case_workers(s)

    try:
        detail, workers = await _run(request, load)
    except cases.CaseError as err:
        raise DeskError(404, str(err)) from err
    return render(request, "cases/detail.html", {
        **_common(request), "d": detail, "c": detail.case, "workers": workers,
        "may_see_contacts": case_contacts.can_see_contacts(user, detail.case),
        "may_reassign": cases.may_reassign(user, detail.case),
        "errors": errors or {}, "values": values or {},
        "msg": {"saved": "Saved.", "note": "Note added.", "contact": "Contact recorded."}.get(
            request.query.get("msg", "")),
    }, status=status)


async def case_page(request: web.Request) -> web.StreamResponse:
    return await _render_detail(request)


async def _act(
    request: web.Request, action: Callable[[Any, User, Form], object], msg: str = "saved"
) -> web.StreamResponse:
    """Run one change in a write transaction; on bad input show the case again with the error
    beside its field and the values the officer typed (nothing they wrote is lost)."""
    form = await request.post()
    user = current_user(request)
    db = _db(request)

    def write() -> None:
        with db.write() as s:
            action(s, user, form)

    try:
        await _run(request, write)
    except cases.CaseError as err:
        if err.field == "reference":
            raise DeskError(404, str(err)) from err
        values: dict[str, Any] = {k: str(v) for k, v in form.items() if k != "csrf_token"}
        values.update({k: _strs(form, k) for k in ("strands", "offences")})
        values["cyber_enabled"] = form.get("cyber_enabled") == "yes"
        return await _render_detail(request, errors={err.field: err.message}, values=values,
                                    status=400)
    return redirect(f"/cases/{_ref(request)}?msg={msg}")


async def change_status(request: web.Request) -> web.StreamResponse:
    ref = _ref(request)
    return await _act(request, lambda s, u, f: cases.change_status(
        s, actor=u, reference=ref, to_status=str(f.get("status", "")),
        reason=str(f.get("reason", "")), crime_reference=str(f.get("crime_reference", ""))))


async def assign(request: web.Request) -> web.StreamResponse:
    ref = _ref(request)

    def do(s: Any, u: User, f: Form) -> object:
        name = str(f.get("assignee", ""))
        target = get_user(s, name)
        if target is None:
            raise cases.CaseError("assignee", f"no account named {name!r}")
        return cases.assign(s, actor=u, reference=ref, assignee=target,
                            reason=str(f.get("reason", "")))

    return await _act(request, do)


async def update_details(request: web.Request) -> web.StreamResponse:
    ref = _ref(request)
    settings = request.app[keys.SETTINGS]
    return await _act(request, lambda s, u, f: cases.update_details(
        s, actor=u, reference=ref, reason=str(f.get("reason", "")),
        allowed_strands=settings["model.strands"], title=str(f.get("title", "")),
        strands=_strs(f, "strands"), offences=_strs(f, "offences"),
        perception=str(f.get("perception", "")), cyber_enabled=f.get("cyber_enabled") == "yes"))


async def add_note(request: web.Request) -> web.StreamResponse:
    ref = _ref(request)
    return await _act(request, lambda s, u, f: cases.add_note(
        s, actor=u, reference=ref, body=str(f.get("body", ""))), msg="note")


# --------------------------------------------------------------------------- contacts


async def contacts_page(request: web.Request) -> web.StreamResponse:
    """Victim and witness details: opening this page is a logged consultation."""
    db = _db(request)
    ref = _ref(request)
    user = current_user(request)

    def load() -> Any:
        with db.write() as s:
            case = cases.require_case(s, ref)
            return case, case_contacts.view_contacts(s, actor=user, case=case)

    try:
        case, rows = await _run(request, load)
    except cases.CaseError as err:
        raise DeskError(404, str(err)) from err
    return render(request, "cases/contacts.html",
                  {**_common(request), "c": case, "rows": rows, "errors": {}, "values": {}})


async def add_contact(request: web.Request) -> web.StreamResponse:
    ref = _ref(request)
    return await _act(request, lambda s, u, f: case_contacts.add_contact(
        s, actor=u, reference=ref, role=str(f.get("role", "")), name=str(f.get("name", "")),
        contact=str(f.get("contact", ""))), msg="contact")


# --------------------------------------------------------------------------- export


async def export_form(request: web.Request) -> web.StreamResponse:
    return render(request, "cases/export.html",
                  {"reference": _ref(request), "errors": {}, "values": {}})


async def export(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    user = current_user(request)
    db = _db(request)
    ref = _ref(request)
    values = {"justification": str(form.get("justification", "")),
              "recipient": str(form.get("recipient", ""))}

    def write() -> Any:
        with db.write() as s:
            return build_pack(s, actor=user, reference=ref,
                              justification=values["justification"],
                              recipient=values["recipient"])

    try:
        pack = await _run(request, write)
    except cases.CaseError as err:
        if err.field == "reference":
            raise DeskError(404, str(err)) from err
        return render(request, "cases/export.html",
                      {"reference": ref, "errors": {err.field: err.message}, "values": values},
                      status=400)
    response = web.Response(body=pack.data, content_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{pack.filename}"',
        "X-Pack-SHA256": pack.sha256,
    })
    # A download leaves the page as it was, so nobody could tell the export had happened:
    # desk.js waits for this short-lived cookie and then confirms it on the export page.
    response.set_cookie(EXPORTED_COOKIE, pack.sha256, max_age=120, path=f"/cases/{ref}",
                        samesite="Strict", secure=request.secure)
    return response


EXPORTED_COOKIE = "hm_exported"


ROUTES: tuple[Route, ...] = (
    Route("GET", "/cases", case_list, DESK, "cases"),
    Route("GET", "/cases/new", new_case_form, DESK, "case_new"),
    Route("POST", "/cases", create_case, DESK, "case_create"),
    Route("GET", "/cases/{reference}", case_page, DESK, "case"),
    Route("POST", "/cases/{reference}/status", change_status, DESK, "case_status"),
    Route("POST", "/cases/{reference}/assign", assign, DESK, "case_assign"),
    Route("POST", "/cases/{reference}/details", update_details, DESK, "case_details"),
    Route("POST", "/cases/{reference}/notes", add_note, DESK, "case_note"),
    Route("GET", "/cases/{reference}/contacts", contacts_page, DESK, "case_contacts"),
    Route("POST", "/cases/{reference}/contacts", add_contact, DESK, "case_contact_add"),
    Route("GET", "/cases/{reference}/export", export_form, DESK, "case_export_form"),
    Route("POST", "/cases/{reference}/export", export, DESK, "case_export"),
)
