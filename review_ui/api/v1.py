"""The bot API: ``POST /api/v1/reports`` and its OpenAPI 3.1 document.

Authenticated only by ``Authorization: Bearer <token>`` (a moderator's API token): cookies are
never consulted, which is why these routes are exempt from the desk's cookie CSRF check (a
cross-site page cannot set that header). Each token has its own rate limit (``TokenBucket``).
Every 4xx is JSON ``{"error", "status", "fields"?}`` naming the bad field.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from monitor.accounts.moderators import authenticate_token
from monitor.config import public_base_url
from monitor.intake.images import MAX_BYTES, MAX_SCREENSHOTS, ScreenshotError
from monitor.intake.reports import ReportInvalid, parse_report
from monitor.intake.status import MyReport, my_reports
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import ApiToken
from review_ui import keys
from review_ui.access import PUBLIC, Route
from review_ui.api.openapi import OPENAPI
from review_ui.keys import INTAKE
from review_ui.views.common import ModelUnavailable, client_address, submit

PREFIX = "/api/v1/"
FIELDS = frozenset({"url", "text", "platform", "group", "reason", "author", "screenshots"})
_B64_LIMIT = (MAX_BYTES * 4) // 3 + 8
MAX_ID = 2**31 - 1


class ApiError(Exception):
    """A JSON error with the fields it concerns; turned into a response by ``api_handler``
    (not an HTTPException, so the desk's HTML error middleware never rewrites it and headers
    such as Retry-After survive)."""

    def __init__(self, status: int, message: str, *, fields: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"error": message, "status": status}
        if fields:
            self.body["fields"] = fields
        self.headers = headers or {}


def api_handler(handler: Handler) -> Handler:
    """Every 4xx/5xx of an API handler as JSON, including aiohttp's own (e.g. 413)."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as err:
            return web.json_response(err.body, status=err.status, headers=err.headers)
        except web.HTTPRequestEntityTooLarge as exc:
            return web.json_response({
                "error": f"the request body is too large for this server ({exc.text})",
                "status": exc.status, "fields": {"body": "too large"}}, status=exc.status)
        except web.HTTPException as exc:
            if exc.status < 400:
                raise
            return web.json_response({"error": exc.reason, "status": exc.status},
                                     status=exc.status)

    return wrapped


def _auth(db: Database, secret: str) -> tuple[User, ApiToken] | None:
    with db.write() as s:
        return authenticate_token(s, secret)


async def _caller(request: web.Request) -> tuple[User, ApiToken]:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="hate-monitor"'}
    if scheme.lower() != "bearer" or not secret.strip():
        raise ApiError(401, "send your API token as 'Authorization: Bearer <token>'",
                       fields={"Authorization": "missing or not a Bearer token"},
                       headers=challenge)
    address = client_address(request)
    bad_tokens = request.app[INTAKE].bad_tokens
    wait = bad_tokens.wait(address)
    if wait > 0:
        # Refused before any lookup: a client spraying guesses gets nothing but this.
        raise ApiError(429, f"too many invalid tokens from this address; retry in {wait:.0f} s",
                       headers={"Retry-After": str(max(1, int(wait + 0.999)))})
    db = request.app[keys.DB]
    found = await db.run(_auth, db, secret.strip())
    if found is None:
        bad_tokens.take(address)
        raise ApiError(401, "the API token is not valid (wrong, revoked, or its account is "
                       "disabled)", fields={"Authorization": "unknown or revoked token"},
                       headers={"WWW-Authenticate": challenge["WWW-Authenticate"]
                                + ', error="invalid_token"'})
    token = found[1]
    wait = request.app[INTAKE].bucket.take(token.id or 0)
    if wait > 0:
        raise ApiError(429, f"too many requests with this token; retry in {wait:.0f} s",
                       headers={"Retry-After": str(max(1, int(wait + 0.999)))})
    return found


def _screenshots(raw: object) -> list[tuple[bytes, str | None]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ApiError(400, "screenshots must be a list", fields={"screenshots": "not a list"})
    if len(raw) > MAX_SCREENSHOTS:
        raise ApiError(400, f"at most {MAX_SCREENSHOTS} screenshots per report",
                       fields={"screenshots": f"{len(raw)} given"})
    out: list[tuple[bytes, str | None]] = []
    for i, item in enumerate(raw):
        where = f"screenshots[{i}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"{where} must be an object", fields={where: "not an object"})
        extra = set(item) - {"filename", "content_base64"}
        if extra:
            raise ApiError(400, f"{where} has unknown fields: {', '.join(sorted(extra))}",
                           fields={f"{where}.{k}": "unknown field" for k in sorted(extra)})
        name, data = item.get("filename"), item.get("content_base64")
        if name is not None and not isinstance(name, str):
            raise ApiError(400, f"{where}.filename must be a string",
                           fields={f"{where}.filename": "not a string"})
        if not isinstance(data, str) or not data:
            raise ApiError(400, f"{where}.content_base64 is required (base64 of a PNG or JPEG)",
                           fields={f"{where}.content_base64": "missing or not a string"})
        if len(data) > _B64_LIMIT:
            raise ApiError(413, f"{where} is over the {MAX_BYTES // 1048576} MB limit",
                           fields={f"{where}.content_base64": "too large"})
        try:
            out.append((base64.b64decode(data, validate=True), name))
        except (binascii.Error, ValueError) as err:
            raise ApiError(400, f"{where}.content_base64 is not valid base64",
                           fields={f"{where}.content_base64": "not valid base64"}) from err
    return out


def _report_json(r: MyReport) -> dict[str, object]:
    return {**r.as_json(), "status_label": r.status_label}


async def create_report(request: web.Request) -> web.StreamResponse:
    user, token = await _caller(request)
    if request.content_type != "application/json":
        raise ApiError(415, "send the report as JSON (Content-Type: application/json)",
                       fields={"Content-Type": f"got {request.content_type or 'nothing'}"})
    try:
        body = json.loads(await request.read())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ApiError(400, f"the body is not valid JSON: {err}") from err
    except RecursionError as err:  # "[[[[..." nested past the parser's depth
        raise ApiError(400, "the body is not valid JSON: nested too deeply") from err
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object with the report's fields")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise ApiError(400, f"unknown fields: {', '.join(unknown)}",
                       fields={k: "unknown field" for k in unknown})
    try:
        data = parse_report(body)
    except ReportInvalid as err:
        raise ApiError(400, f"the report has problems: {err}", fields=err.errors) from err
    files = _screenshots(body.get("screenshots"))
    try:
        outcome = await submit(request, user=user, data=data, screenshots=files,
                               channel="api", api_token_id=token.id)
    except ScreenshotError as err:
        raise ApiError(400, str(err), fields={"screenshots": str(err)}) from err
    except ModelUnavailable as err:
        raise ApiError(503, "the service is starting up and cannot score reports yet; retry",
                       headers={"Retry-After": "30"}) from err
    db = request.app[keys.DB]
    mine = await db.run(_one, db, user.id or 0, outcome.report_id)
    return web.json_response(
        {**_report_json(mine), "fetch_note": outcome.fetch_note}, status=201,
        headers={"Location": f"{PREFIX}reports/{outcome.report_id}"},
    )


def _one(db: Database, user_id: int, report_id: int) -> MyReport:
    with db.read() as s:
        rows = my_reports(s, user_id, report_id=report_id)
    if not rows:
        raise ApiError(404, f"you have no report {report_id}")
    return rows[0]


def _all(db: Database, user_id: int) -> list[MyReport]:
    with db.read() as s:
        return my_reports(s, user_id)


async def list_reports(request: web.Request) -> web.StreamResponse:
    user, _ = await _caller(request)
    db = request.app[keys.DB]
    rows = await db.run(_all, db, user.id or 0)
    return web.json_response({"reports": [_report_json(r) for r in rows]})


async def get_report(request: web.Request) -> web.StreamResponse:
    user, _ = await _caller(request)
    raw = request.match_info.get("report_id", "")
    # Bounded to the 32-bit key range: PostgreSQL refuses larger integers with an error.
    if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_ID:
        raise ApiError(404, f"you have no report {raw[:20]!r}")
    db = request.app[keys.DB]
    return web.json_response(_report_json(await db.run(_one, db, user.id or 0, int(raw))))


async def openapi(request: web.Request) -> web.StreamResponse:
    base = public_base_url(request.app[keys.SETTINGS])
    doc = {**OPENAPI, "servers": [{"url": f"{base}/api/v1"}]}
    return web.json_response(doc)


def bypass_cookie_auth(auth: Middleware) -> Middleware:
    """Wrap the desk's session/CSRF middleware so /api/v1/ requests skip it (no session
    cookie read or set; the handlers authenticate the bearer token themselves)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path.startswith(PREFIX):
            return await handler(request)
        response: web.StreamResponse = await auth(request, handler)
        return response

    return middleware


ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/v1/reports", api_handler(create_report), PUBLIC, "api_v1_create_report"),
    Route("GET", "/api/v1/reports", api_handler(list_reports), PUBLIC, "api_v1_list_reports"),
    Route("GET", "/api/v1/reports/{report_id}", api_handler(get_report), PUBLIC,
          "api_v1_get_report"),
    Route("GET", "/api/v1/openapi.json", openapi, PUBLIC, "api_v1_openapi"),
)
