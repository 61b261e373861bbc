"""The middleware stack, in one visible place: request ids and the access log outermost, then
error pages, then sessions, roles and CSRF. Security headers are added to every response (static
files and errors included).

Every request gets an id: the reverse proxy's ``X-Request-Id`` when it sent a sane one (so one
id follows the request through nginx and the app), else a fresh one. It is returned in the
``X-Request-Id`` response header, put in a context variable that ``monitor.logging_setup`` adds
to every log record written while the request is handled, and logged once in the access line.

The access line holds method, path (never the query string: filters and ``next=`` addresses
can carry search terms), status, duration and the user's id, so a complaint ("the page failed
at 10:32") can be traced without logging what the officer looked at (the audit trail does that).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from monitor.accounts import sessions
from monitor.logging_setup import request_id_var
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import PUBLIC, roles_for
from review_ui.render import render

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_MESSAGES = {
    400: "The request was not understood.",
    401: "Please log in.",
    403: "You do not have access to this page.",
    404: "There is nothing at this address.",
    405: "That action is not allowed here.",
    409: "Someone else changed this first.",
    429: "Too many attempts; wait a few minutes and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
}


class DeskError(web.HTTPException):
    """An error with a message meant for the person using the desk."""

    def __init__(self, status: int, message: str) -> None:
        self.status_code = status
        super().__init__(text=message)


def _wants_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(request: web.Request, status: int, message: str) -> web.Response:
    if _wants_json(request):
        return web.json_response({"error": message, "status": status}, status=status)
    try:
        return render(request, "error.html", {"status": status, "message": message},
                      status=status)
    except Exception:  # the error page itself must never fail
        log.exception("could not render the error page")
        return web.Response(text=message, status=status, content_type="text/plain")


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        text = exc.text or ""
        message = text if text and not text.startswith(f"{exc.status}:") else _MESSAGES.get(
            exc.status, exc.reason)
        return error_response(request, exc.status, message)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(request, 500, _MESSAGES[500])


def set_session_cookie(request: web.Request, response: web.StreamResponse,
                       data: sessions.SessionData) -> None:
    settings = request.app[keys.SETTINGS]
    response.set_cookie(
        sessions.COOKIE_NAME,
        sessions.encode_session(data, settings["service.secret_key"]),
        max_age=settings["service.session_hours"] * 3600,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=bool(settings["service.secure_cookies"]),
    )


def redirect(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


API_V1 = "/api/v1/"


@web.middleware
async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(API_V1):
        # The bots' API takes no cookies (so needs no CSRF token): its handlers check the
        # bearer token themselves.
        return await handler(request)
    app = request.app
    settings = app[keys.SETTINGS]
    now = utcnow()
    data = sessions.decode_session(
        request.cookies.get(sessions.COOKIE_NAME), settings["service.secret_key"], now=now
    )
    if data is not None and data.user_id is not None:
        db = app[keys.DB]
        user = await db.run(_load_user, db, data.user_id)
        if user is None or user.disabled or sessions.session_epoch(user) != data.epoch:
            data = None
        elif not data.mfa_pending:
            request[keys.USER] = user
    allowed = roles_for(request)
    if data is None:
        data = sessions.SessionData.anonymous(now, settings["service.session_hours"])
        # Health probes and static files need no session; everything else gets one so that
        # even the login form carries a CSRF token.
        if not (request.path == "/healthz" or request.path.startswith("/static/")):
            request[keys.NEW_SESSION] = data
    request[keys.SESSION] = data

    user = request.get(keys.USER)
    response: web.StreamResponse
    if allowed is not PUBLIC and user is None:
        if request.method in SAFE_METHODS and not _wants_json(request):
            response = redirect("/login?next=" + quote(request.path_qs, safe=""))
        else:
            response = error_response(request, 401, _MESSAGES[401])
    elif allowed is not PUBLIC and user is not None and user.role not in allowed:
        response = error_response(request, 403, _MESSAGES[403])
    elif request.method not in SAFE_METHODS and not await _csrf_ok(request, data):
        response = error_response(
            request, 403, "This form has expired or did not come from this site; reload the "
            "page and try again.")
    else:
        response = await handler(request)
    new = request.get(keys.NEW_SESSION)
    if new is not None:
        set_session_cookie(request, response, new)
    return response


async def _csrf_ok(request: web.Request, data: sessions.SessionData) -> bool:
    presented = request.headers.get("X-CSRF-Token")
    if presented is None and request.content_type in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):
        form = await request.post()  # aiohttp caches it, so the handler can read it again
        value = form.get("csrf_token")
        presented = value if isinstance(value, str) else None
    return sessions.csrf_ok(data, presented)


def _load_user(db: Database, user_id: int) -> User | None:
    with db.read() as s:
        return sessions.get_user_by_id(s, user_id)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if not request.path.startswith("/static/"):
        # Pages carry sensitive material: never keep them in a shared or disk cache.
        h.setdefault("Cache-Control", "no-store")


# --------------------------------------------------------------------------- request ids

HEADER = "X-Request-Id"
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
    request[keys.REQUEST_ID] = rid
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
