"""``GET /healthz``: database and model status for monitoring (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.storage.db import health_status
from review_ui import keys
from review_ui.access import PUBLIC, Route


async def healthz(request: web.Request) -> web.StreamResponse:
    db = request.app[keys.DB]
    try:
        database = await db.run(health_status, db)
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
