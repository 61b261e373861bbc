"""The audit log viewer (admins only): filter by person, action, object and date, export CSV,
and the result of walking the hash chain (the same check as ``hate-monitor audit verify``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.audit import chain as audit
from monitor.audit import search as audit_log
from monitor.storage.db import Database
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import Route
from review_ui.render import render
from review_ui.views.common import current_user

ADMIN = frozenset({"admin"})


def _load(db: Database, f: audit_log.AuditFilter, before: int | None) -> dict[str, Any]:
    with db.read() as s:
        rows = audit_log.search(s, f, before_id=before, limit=audit_log.PAGE + 1)
        return {"rows": rows[: audit_log.PAGE],
                "more": rows[audit_log.PAGE - 1].id if len(rows) > audit_log.PAGE else None,
                "chain": audit.verify(s), "actions": audit_log.actions(s)}


async def audit_page(request: web.Request) -> web.StreamResponse:
    f, errors = audit_log.parse_filter(request.query)
    raw = request.query.get("before", "")
    before = int(raw) if raw.isdigit() else None
    db = request.app[keys.DB]
    data = await db.run(_load, db, f, before)
    return render(request, "audit/index.html",
                  {**data, "f": f, "errors": errors, "query": f.query()},
                  status=400 if errors else 200)


async def audit_csv(request: web.Request) -> web.StreamResponse:
    f, errors = audit_log.parse_filter(request.query)
    if errors:
        return await audit_page(request)
    db = request.app[keys.DB]
    body = await db.run(audit_log.export_csv, db, f, actor=current_user(request).username)
    name = f"hate-monitor-audit-{utcnow():%Y%m%d-%H%M%S}.csv"
    return web.Response(text=body, content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


ROUTES: tuple[Route, ...] = (
    Route("GET", "/audit", audit_page, ADMIN, "audit"),
    Route("GET", "/audit.csv", audit_csv, ADMIN, "audit_csv"),
)
