"""``GET /healthz``: database and model status for monitoring (no login, no personal data)."""

from __future__ import annotations

import functools
from typing import Any

from aiohttp import web
from sqlalchemy import text

from monitor.storage.db import Database, current_revisions, head_revisions
from review_ui import keys
from review_ui.access import PUBLIC, Route


@functools.cache
def _heads() -> tuple[str, ...]:
    return head_revisions()  # the migration scripts do not change while the process runs


def _db_status(db: Database) -> dict[str, Any]:
    with db.read() as s:
        s.exec(text("SELECT 1"))  # type: ignore[call-overload]
    revisions = current_revisions(db)
    heads = _heads()
    return {"ok": True, "backend": db.dialect, "revision": "+".join(revisions) or None,
            "head": "+".join(heads), "current": set(revisions) == set(heads)}


async def healthz(request: web.Request) -> web.StreamResponse:
    db = request.app[keys.DB]
    try:
        database = await db.run(_db_status, db)
    except Exception as err:  # any failure to reach it is "down"; say what, not a traceback
        database = {"ok": False, "backend": db.dialect, "error": type(err).__name__}
    slot = request.app[keys.MODEL]
    if slot.scorer is not None:
        model: dict[str, Any] = {"ok": True, "version": slot.scorer.model_version}
    elif slot.loading:
        model = {"ok": False, "loading": True}
    else:
        model = {"ok": False, "error": slot.error or "not loaded"}
    ok = database["ok"] and model["ok"] and database.get("current", False)
    body = {"status": "ok" if ok else "degraded", "database": database, "model": model}
    return web.json_response(body, status=200 if database["ok"] else 503)


ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", healthz, PUBLIC, "healthz"),
)
