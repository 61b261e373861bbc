"""Watched sources: health at a glance, detail with sweep history, the admin add/edit form,
enable/disable and "run now". Admins manage sources; officers may look and ask for a run.

Sources declared in config.toml ``[[sources]]`` are rewritten from the file on every start
(``monitor.sources.declared``), so an edit here would silently come undone: they are shown as
managed from the file and every change to them is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from connectors.registry import CONNECTORS
from monitor.alerts.config import load_alert_config
from monitor.alerts.dispatch import dispatch
from monitor.config import public_base_url
from monitor.sources import store
from monitor.sources.basis import FIELDS as BASIS_FIELDS
from monitor.sources.basis import Basis, BasisError, SourceError, basis_problem, parse_basis
from monitor.sources.declared import declared_names
from monitor.sources.schedule import EXAMPLES, ScheduleError, parse_schedule
from monitor.sources.store import add_source
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow
from monitor.sweeps import unreadable as could_not_read
from monitor.sweeps.history import history, overview
from monitor.sweeps.leases import holder_of
from monitor.sweeps.runner import SweepRunner
from monitor.sweeps.sweep import SweepResult
from review_ui import keys
from review_ui.access import DESK, Route
from review_ui.middlewares import DeskError, redirect
from review_ui.render import render
from review_ui.views.common import current_user, int_param

log = logging.getLogger(__name__)
ADMIN = frozenset({"admin"})
Form = MultiDictProxy[str | Any]


MAX_JITTER_S = 86_400
MAX_BACKFILL = 100_000
MESSAGES = {
    "created": "Source added.",
    "saved": "Changes saved.",
    "unchanged": "Nothing changed.",
    "enabled": "Source enabled.",
    "disabled": "Source disabled: it will not be swept until enabled again.",
    "queued": "Sweep handed to the scheduler in this process; it appears in the history below "
              "when it ends.",
    "started": "Sweep started in the background; reload this page to see it in the history.",
    "running": "A sweep of this source is running right now; its result appears in the history "
               "when it ends.",
    "refused": "Not run: this source may not be swept (see its status).",
    "off": "Not run: the source is disabled. Enable it first.",
    "nomodel": "Not run: the classifier is not loaded (see /healthz), so new posts could not be "
               "scored. Try again once it is loaded.",
    "acknowledged": "Acknowledged: recorded in the audit log with your name. Kept items stay on "
                    "the list until a parser reads them.",
    "nothing": "Nothing to acknowledge.",
}


def _db(request: web.Request) -> Database:
    return request.app[keys.DB]


def _declared(request: web.Request) -> frozenset[str]:
    return declared_names(request.app[keys.SETTINGS])


@contextlib.contextmanager
def _desk_errors() -> Iterator[None]:
    try:
        yield
    except store.UnknownSource as err:
        raise DeskError(404, str(err)) from err
    except store.DeclaredSourceError as err:
        raise DeskError(409, str(err)[0].upper() + str(err)[1:] + ".") from err


def _get(db: Database, source_id: int) -> Source:
    with _desk_errors(), db.read() as s:
        return store.source_by_id(s, source_id)


def _next_runs(request: web.Request) -> dict[int, Any] | None:
    """The scheduler's next fire times when it runs in this process, else None."""
    handle = request.app.get(keys.SCHEDULER)
    return handle.next_runs() if handle is not None and handle.running else None


# --------------------------------------------------------------------------- list, detail


async def source_list(request: web.Request) -> web.StreamResponse:
    db = _db(request)
    rows = await db.run(overview, db)
    return render(request, "sources/list.html", {
        "rows": rows, "next_runs": _next_runs(request), "declared": _declared(request)})


async def source_page(request: web.Request) -> web.StreamResponse:
    sid = int_param(request, "source_id")
    db = _db(request)

    def load() -> tuple[Source, list[Any], dict[str, Any] | None, dict[str, Any]]:
        src = _get(db, sid)
        with db.read() as s:
            runs = history(s, sid, limit=20)
        health = next((h for h in overview(db) if h["id"] == sid), None)
        return src, runs, health, could_not_read.for_page(db, sid)

    src, runs, health, lost = await db.run(load)
    return render(request, "sources/detail.html", {
        "s": src, "runs": runs, "h": health, "next_runs": _next_runs(request), "lost": lost,
        "managed": src.name in _declared(request),
        "msg": MESSAGES.get(request.query.get("msg", "")),
        "refused": request.query.get("msg") in ("refused", "off"),
    })


# --------------------------------------------------------------------------- the form


def _values_of(src: Source | None) -> dict[str, Any]:
    """What the form shows: the stored source, or the defaults for a new one."""
    if src is None:
        return {"name": "", "connector": "", "target": "", "base_url": "",
                "schedule": "interval:15m", "jitter_s": "60", "backfill_limit": "200",
                "include_terms": "", "exclude_terms": "", "enabled": True,
                **{f"basis_{k}": "" for k in BASIS_FIELDS}}
    return {"name": src.name, "connector": src.connector, "target": src.target,
            "base_url": src.base_url or "", "schedule": src.schedule,
            "jitter_s": str(src.jitter_s), "backfill_limit": str(src.backfill_limit),
            "include_terms": "\n".join(src.include_terms),
            "exclude_terms": "\n".join(src.exclude_terms), "enabled": src.enabled,
            **{f"basis_{k}": "" if getattr(src, f"basis_{k}") is None
               else str(getattr(src, f"basis_{k}")) for k in BASIS_FIELDS}}


def _values_from(form: Form) -> dict[str, Any]:
    values: dict[str, Any] = {k: str(form.get(k, "")) for k in _values_of(None) if k != "enabled"}
    values["enabled"] = form.get("enabled") == "yes"
    return values


def _whole(values: dict[str, Any], key: str, top: int, errors: dict[str, str]) -> int:
    raw = values[key].strip()
    if not (raw.isascii() and raw.isdigit()) or int(raw) > top:
        errors[key] = f"must be a whole number from 0 to {top}, got {raw!r}"
        return 0
    return int(raw)


def _terms(text: str) -> list[str]:
    return [t.strip() for t in text.splitlines() if t.strip()]


def _basis(values: dict[str, Any], errors: dict[str, str]) -> Basis | None:
    """All five lawful-basis fields, or none (then the source will not run)."""
    try:
        return parse_basis({k: values[f"basis_{k}"] for k in BASIS_FIELDS})
    except BasisError as err:
        errors.update({f"basis_{k}": problem for k, problem in err.problems.items()})
        return None


def clean(values: dict[str, Any], *, new: bool) -> tuple[dict[str, Any], Basis | None,
                                                        dict[str, str]]:
    """Form strings → Source column values, the basis, and one message per bad field."""
    errors: dict[str, str] = {}
    if new:
        name = values["name"].strip()
        if not name:
            errors["name"] = "required: a short name to tell this source apart"
        elif len(name) > 120:
            errors["name"] = "must be at most 120 characters"
    if values["connector"] not in CONNECTORS:
        errors["connector"] = f"choose one of {', '.join(sorted(CONNECTORS))}"
    if not values["target"].strip():
        errors["target"] = "required: the group, channel, hashtag, account, feed or video"
    base_url = values["base_url"].strip()
    if base_url and not base_url.lower().startswith(("https://", "http://")):
        errors["base_url"] = "must be a web address starting https:// (or leave it empty)"
    try:
        parse_schedule(values["schedule"])
    except ScheduleError as err:
        errors["schedule"] = str(err)
    cols: dict[str, Any] = {
        "connector": values["connector"], "target": values["target"].strip(),
        "base_url": base_url or None, "schedule": values["schedule"].strip(),
        "jitter_s": _whole(values, "jitter_s", MAX_JITTER_S, errors),
        "backfill_limit": _whole(values, "backfill_limit", MAX_BACKFILL, errors),
        "include_terms": _terms(values["include_terms"]),
        "exclude_terms": _terms(values["exclude_terms"]), "enabled": values["enabled"],
    }
    basis = _basis(values, errors)
    cols.update({"basis_reference": basis and basis.reference, "basis_scope": basis and basis.scope,
                 "basis_approved_by": basis and basis.approved_by,
                 "basis_approved_on": basis and basis.approved_on,
                 "basis_expires_on": basis and basis.expires_on})
    return cols, basis, errors


def _form(request: web.Request, values: dict[str, Any], errors: dict[str, str],
          source: Source | None, status: int = 200) -> web.Response:
    return render(request, "sources/form.html", {
        "values": values, "errors": errors, "s": source, "connectors": sorted(CONNECTORS),
        "schedule_examples": EXAMPLES, "max_jitter": MAX_JITTER_S,
        "max_backfill": MAX_BACKFILL}, status=status)


async def _resync(request: web.Request) -> None:
    handle = request.app.get(keys.SCHEDULER)
    if handle is not None:
        await handle.resync()


def _refuse_managed(src: Source, declared: frozenset[str]) -> None:
    with _desk_errors():
        store.refuse_declared(src.name, declared)


# --------------------------------------------------------------------------- add, edit


async def new_form(request: web.Request) -> web.StreamResponse:
    return _form(request, _values_of(None), {}, None)


async def create(request: web.Request) -> web.StreamResponse:
    values = _values_from(await request.post())
    cols, basis, errors = clean(values, new=True)
    if values["name"].strip() in _declared(request):
        errors["name"] = "this name is declared in config.toml [[sources]]; manage it there"
    if errors:
        return _form(request, values, errors, None, status=400)
    user = current_user(request)
    db = _db(request)

    def write() -> int:
        with db.write() as s:
            src = add_source(
                s, name=values["name"].strip(), connector=cols["connector"],
                target=cols["target"], actor=user.username, basis=basis,
                base_url=cols["base_url"], schedule=cols["schedule"],
                backfill_limit=cols["backfill_limit"], include_terms=cols["include_terms"],
                exclude_terms=cols["exclude_terms"], jitter_s=cols["jitter_s"],
                enabled=cols["enabled"])
            return src.id or 0

    try:
        sid = await db.run(write)
    except SourceError as err:  # what is left after the checks above: a name already taken
        return _form(request, values, {"name": str(err)}, None, status=400)
    await _resync(request)
    return redirect(f"/sources/{sid}?msg=created")


async def edit_form(request: web.Request) -> web.StreamResponse:
    db = _db(request)
    src = await db.run(_get, db, int_param(request, "source_id"))
    _refuse_managed(src, _declared(request))
    return _form(request, _values_of(src), {}, src)


def update_source(db: Database, source_id: int, cols: dict[str, Any], *, actor: User,
                  declared: frozenset[str], action: str = "source.update") -> list[str]:
    with _desk_errors(), db.write() as s:
        return store.update_source(s, source_id, cols, actor=actor.username,
                                   declared=declared, action=action)


async def update(request: web.Request) -> web.StreamResponse:
    sid = int_param(request, "source_id")
    db = _db(request)
    src = await db.run(_get, db, sid)
    _refuse_managed(src, _declared(request))
    values = _values_from(await request.post())
    values["name"] = src.name  # the name is fixed: history and captures are filed under it
    cols, _, errors = clean(values, new=False)
    if errors:
        return _form(request, values, errors, src, status=400)
    changed = await db.run(update_source, db, sid, cols, actor=current_user(request),
                           declared=_declared(request))
    if changed:
        await _resync(request)
    return redirect(f"/sources/{sid}?msg={'saved' if changed else 'unchanged'}")


async def _toggle(request: web.Request, enabled: bool) -> web.StreamResponse:
    sid = int_param(request, "source_id")
    db = _db(request)
    await db.run(update_source, db, sid, {"enabled": enabled}, actor=current_user(request),
                 declared=_declared(request), action=f"source.{'en' if enabled else 'dis'}able")
    await _resync(request)
    return redirect(f"/sources/{sid}?msg={'enabled' if enabled else 'disabled'}")


async def enable(request: web.Request) -> web.StreamResponse:
    return await _toggle(request, True)


async def disable(request: web.Request) -> web.StreamResponse:
    return await _toggle(request, False)


# --------------------------------------------------------------------------- run now


async def run_now(request: web.Request) -> web.StreamResponse:
    sid = int_param(request, "source_id")
    db = _db(request)
    src = await db.run(_get, db, sid)
    back = f"/sources/{sid}?msg="
    if not src.enabled:
        return redirect(back + "off")
    if basis_problem(src, utcnow().date()):
        return redirect(back + "refused")
    handle = request.app.get(keys.SCHEDULER)
    if handle is not None and handle.running:
        handle.run_now(sid)
        return redirect(back + "queued")
    sweeps = request.app[keys.SWEEPS]
    holder: str | None = await db.run(holder_of, db, sid)
    if (sid in sweeps and not sweeps[sid].done()) or holder is not None:
        return redirect(back + "running")
    scorer = request.app[keys.MODEL].scorer
    if scorer is None:
        return redirect(back + "nomodel")
    settings = request.app[keys.SETTINGS]
    http = request.app[keys.HTTP]

    async def after(result: SweepResult) -> None:
        # As the scheduler does: a new urgent item is alerted at once, not at the next outbox run.
        cfg = load_alert_config(settings)
        if result.queue_item_ids and cfg.channels:
            await dispatch(db, http, cfg, base_url=public_base_url(settings),
                           item_ids=result.queue_item_ids)

    who = current_user(request).username
    runner = SweepRunner(db=db, scorer=scorer, http=http, settings=settings, on_result=after)

    async def sweep() -> None:
        outcome = await runner.run(sid, trigger="manual")
        log.info("run now of source %s by %s: %s %s", src.name, who, outcome.status,
                 outcome.reason or "")

    task = asyncio.create_task(sweep())
    sweeps[sid] = task
    task.add_done_callback(lambda t: sweeps.pop(sid, None) if sweeps.get(sid) is t else None)
    return redirect(back + "started")


async def stop_sweeps(app: web.Application) -> None:
    """On shutdown, before the database and HTTP session close under a running sweep (its
    cursor is saved per page, so a cancelled sweep resumes where it stopped)."""
    tasks = list(app[keys.SWEEPS].values())
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/sources", source_list, DESK, "sources"),
    Route("GET", "/sources/new", new_form, ADMIN, "source_new"),
    Route("POST", "/sources", create, ADMIN, "source_create"),
    Route("GET", "/sources/{source_id}", source_page, DESK, "source"),
    Route("GET", "/sources/{source_id}/edit", edit_form, ADMIN, "source_edit"),
    Route("POST", "/sources/{source_id}/edit", update, ADMIN, "source_update"),
    Route("POST", "/sources/{source_id}/enable", enable, ADMIN, "source_enable"),
    Route("POST", "/sources/{source_id}/disable", disable, ADMIN, "source_disable"),
    Route("POST", "/sources/{source_id}/run", run_now, DESK, "source_run"),
)
