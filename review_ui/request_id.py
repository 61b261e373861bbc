"""Request ids and the access log.

Every request gets an id: the reverse proxy's ``X-Request-Id`` when it sent a sane one (so one
id follows the request through nginx and the app), else a fresh one. It is returned in the
``X-Request-Id`` response header, put in a context variable that ``monitor.logging_setup`` adds
to every log record written while the request is handled, and logged once in the access line.

The access line holds method, path (never the query string: filters and ``next=`` addresses
can carry search terms), status, duration and the user's id, so a complaint ("the page failed
at 10:32") can be traced without logging what the officer looked at (the audit trail does that).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from monitor.logging_setup import request_id_var
from review_ui import keys

HEADER = "X-Request-Id"
REQUEST_ID = web.RequestKey("request_id", str)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
access_log = logging.getLogger("hate_monitor.access")


def _incoming(request: web.Request) -> str:
    given = request.headers.get(HEADER, "")
    return given if _SANE.match(given) else uuid.uuid4().hex


def _log(request: web.Request, status: int, started: float) -> None:
    user = request.get(keys.USER)
    access_log.info(
        "%s %s %d", request.method, request.path, status,
        extra={"method": request.method, "path": request.path, "status": status,
               "duration_ms": round((time.perf_counter() - started) * 1000, 2),
               "user_id": None if user is None else user.id,
               "remote": request.remote},
    )


@web.middleware
async def request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Outermost middleware: wraps the error pages too, so a 500 carries its id."""
    rid = _incoming(request)
    request[REQUEST_ID] = rid
    token = request_id_var.set(rid)
    started = time.perf_counter()
    try:
        try:
            response = await handler(request)
        except web.HTTPException as exc:  # redirects and errors raised past the error page
            exc.headers[HEADER] = rid
            _log(request, exc.status, started)
            raise
        except Exception:
            _log(request, 500, started)
            raise
        response.headers[HEADER] = rid
        _log(request, response.status, started)
        return response
    finally:
        request_id_var.reset(token)
