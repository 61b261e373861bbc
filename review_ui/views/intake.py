"""Moderator pages (forward form, "My reports", invitation, API tokens) and the officer's view of
the reports on a queue item (with each reporter's track record and the message back).

Views hold no SQL: they call ``monitor.intake.reports*``. Moderators only ever reach their own
reports."""

from __future__ import annotations

from aiohttp import web

from monitor.accounts.moderators import (
    InvitationError,
    TokenError,
    accept_invitation,
    create_token,
    find_invitation,
    list_tokens,
    revoke_token,
    suggested_username,
)
from monitor.accounts.users import MIN_PASSWORD, UserError
from monitor.config import public_base_url
from monitor.intake.images import MAX_BYTES, MAX_SCREENSHOTS, ScreenshotError, consult_screenshot
from monitor.intake.reports import PLATFORMS, ReportInvalid, parse_report
from monitor.intake.status import (
    FeedbackError,
    ItemReport,
    MyReport,
    item_with_reports,
    my_reports,
    reports_for_item,
    set_feedback,
)
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import ApiToken
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import parse_id
from review_ui import keys
from review_ui.access import DESK, PUBLIC, Route
from review_ui.middlewares import redirect
from review_ui.render import render
from review_ui.views.common import ModelUnavailable, current_user, submit, with_query

MODERATOR = frozenset({"moderator"})
FORM_FIELDS = ("url", "text", "platform", "group", "reason", "author")
NOTICES = {
    "sent": "Thank you. Your report has been received; its status is shown below.",
    "revoked": "The token has been revoked; bots using it can no longer send reports.",
}


def int_param(request: web.Request, name: str) -> int:
    """A numeric path part as a database key; 404 past the 32-bit key range, which
    PostgreSQL would refuse with an error (a 500) rather than find nothing."""
    raw = request.match_info.get(name, "")
    value = parse_id(raw)
    if value is None:
        raise web.HTTPNotFound()
    return value


# --- forward form --------------------------------------------------------------------------


def _form_page(request: web.Request, values: dict[str, str], errors: dict[str, str],
               status: int = 200) -> web.Response:
    return render(request, "intake/report_form.html", {
        "values": values, "errors": errors, "platforms": PLATFORMS,
        "max_mb": MAX_BYTES // 1048576, "max_files": MAX_SCREENSHOTS,
    }, status=status)


async def report_form(request: web.Request) -> web.StreamResponse:
    return _form_page(request, {k: "" for k in FORM_FIELDS}, {})


async def report_submit(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    form = await request.post()
    values = {k: str(form.get(k, "")) for k in FORM_FIELDS}
    files: list[tuple[bytes, str | None]] = []
    for part in form.getall("screenshots", []):
        if isinstance(part, web.FileField):
            content = part.file.read()
            if content or part.filename:  # an empty file input sends an empty part
                files.append((content, part.filename))
    wait = request.app[keys.INTAKE].form_bucket.take(user.id or 0)
    if wait > 0:
        page = _form_page(request, values, {"form": (
            f"You have sent a lot of reports in a short time. Your text is still here: please "
            f"send it again in {max(1, int(wait + 0.999))} seconds.")}, status=429)
        page.headers["Retry-After"] = str(max(1, int(wait + 0.999)))
        return page
    try:
        data = parse_report(values)
        outcome = await submit(request, user=user, data=data, screenshots=files, channel="form")
    except ReportInvalid as err:
        return _form_page(request, values, err.errors, status=400)
    except ScreenshotError as err:
        return _form_page(request, values, {"screenshots": str(err)}, status=400)
    except ModelUnavailable:
        return _form_page(request, values, {"form": (
            "The desk cannot take reports for a minute (it is starting up). Your text is "
            "still here: please send it again shortly.")}, status=503)
    return redirect(f"/intake/reports?msg=sent#report-{outcome.report_id}")


# --- my reports ----------------------------------------------------------------------------


def _mine(db: Database, user_id: int) -> list[MyReport]:
    with db.read() as s:
        return my_reports(s, user_id)


async def my_reports_page(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    db = request.app[keys.DB]
    rows = await db.run(_mine, db, user.id or 0)
    return render(request, "intake/my_reports.html", {
        "reports": rows, "notice": NOTICES.get(request.query.get("msg", "")),
    })


# --- invitation ----------------------------------------------------------------------------


def _check_invite(db: Database, token: str) -> tuple[str | None, str]:
    """(why the link cannot be used, or None; the username to suggest)."""
    with db.read() as s:
        try:
            inv = find_invitation(s, token)
        except InvitationError as err:
            return str(err), ""
    return None, suggested_username(inv.label)


def _accept(db: Database, token: str, username: str, password: str) -> User:
    with db.write() as s:
        return accept_invitation(s, token=token, username=username, password=password)


def _invite_page(request: web.Request, token: str, *, error: str | None, username: str = "",
                 status: int = 200, usable: bool = True) -> web.Response:
    return render(request, "intake/invite.html", {
        "token": token, "error": error, "username": username, "usable": usable,
        "min_password": MIN_PASSWORD,
    }, status=status)


async def invite_form(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"][:200]
    db = request.app[keys.DB]
    problem, suggested = await db.run(_check_invite, db, token)
    if problem:
        return _invite_page(request, token, error=problem, status=404, usable=False)
    return _invite_page(request, token, error=None, username=suggested)


async def invite_accept(request: web.Request) -> web.StreamResponse:
    token = request.match_info["token"][:200]
    form = await request.post()
    username = str(form.get("username", ""))[:64].strip()
    password = str(form.get("password", ""))[:1024]
    if password != str(form.get("password2", ""))[:1024]:
        return _invite_page(request, token, error="The two passwords are not the same.",
                            username=username, status=400)
    db = request.app[keys.DB]
    try:
        await db.run(_accept, db, token, username, password)
    except InvitationError as err:
        return _invite_page(request, token, error=str(err), status=404, usable=False)
    except UserError as err:
        return _invite_page(request, token, error=str(err), username=username, status=400)
    # The login page says the account exists and fills in its name: a bare login form right
    # after choosing a password left moderators unsure whether it had worked.
    return redirect(with_query("/login", {"next": "/intake/reports", "msg": "account_created",
                                          "username": username}))


# --- API tokens ----------------------------------------------------------------------------


def _tokens(db: Database, user_id: int) -> list[ApiToken]:
    with db.read() as s:
        return list_tokens(s, user_id)


def _create_token(db: Database, user: User, name: str) -> str:
    with db.write() as s:
        return create_token(s, user=user, name=name).secret


def _revoke(db: Database, user: User, token_id: int) -> None:
    with db.write() as s:
        revoke_token(s, token_id=token_id, owner_id=user.id, actor=user.username)


async def _tokens_page(request: web.Request, *, secret: str | None = None,
                       error: str | None = None, status: int = 200) -> web.Response:
    user = current_user(request)
    db = request.app[keys.DB]
    rows = await db.run(_tokens, db, user.id or 0)
    base = public_base_url(request.app[keys.SETTINGS])
    return render(request, "intake/tokens.html", {
        "tokens": rows, "secret": secret, "error": error, "api_base": f"{base}/api/v1",
        "notice": NOTICES.get(request.query.get("msg", "")),
    }, status=status)


async def tokens_page(request: web.Request) -> web.StreamResponse:
    return await _tokens_page(request)


async def token_create(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    form = await request.post()
    db = request.app[keys.DB]
    try:
        secret = await db.run(_create_token, db, user, str(form.get("name", ""))[:200])
    except TokenError as err:
        return await _tokens_page(request, error=str(err), status=400)
    # Rendered, not redirected: the secret is shown this once and never stored in plain text.
    return await _tokens_page(request, secret=secret)


async def token_revoke(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    db = request.app[keys.DB]
    try:
        await db.run(_revoke, db, user, int_param(request, "token_id"))
    except TokenError as err:
        raise web.HTTPNotFound(text=str(err)) from err
    return redirect("/intake/tokens?msg=revoked")


# --- the officer's side --------------------------------------------------------------------


def _item_reports(db: Database, item_id: int) -> tuple[QueueItem | None, list[ItemReport]]:
    with db.read() as s:
        return item_with_reports(s, item_id)


def _feedback(db: Database, item_id: int, message: str, officer: User) -> None:
    with db.write() as s:
        ids = [r.report.id or 0 for r in reports_for_item(s, item_id)]
        set_feedback(s, report_ids=ids, message=message, officer=officer)


async def _item_page(request: web.Request, item_id: int, *, error: str | None = None,
                     status: int = 200) -> web.Response:
    db = request.app[keys.DB]
    item, rows = await db.run(_item_reports, db, item_id)
    if item is None:
        raise web.HTTPNotFound()
    message = next((r.report.feedback_message for r in rows if r.report.feedback_message), "")
    return render(request, "intake/item_reports.html", {
        "item": item, "reports": rows, "error": error, "message": message or "",
    }, status=status)


async def item_reports(request: web.Request) -> web.StreamResponse:
    return await _item_page(request, int_param(request, "item_id"))


async def item_feedback(request: web.Request) -> web.StreamResponse:
    item_id = int_param(request, "item_id")
    form = await request.post()
    db = request.app[keys.DB]
    try:
        await db.run(_feedback, db, item_id, str(form.get("message", "")),
                     current_user(request))
    except FeedbackError as err:
        return await _item_page(request, item_id, error=str(err), status=400)
    return redirect(f"/intake/items/{item_id}/reports")


async def screenshot(request: web.Request) -> web.StreamResponse:
    db = request.app[keys.DB]
    shot = await db.run(consult_screenshot, db, int_param(request, "shot_id"),
                        actor=current_user(request).username)
    if shot is None:
        raise web.HTTPNotFound()
    return web.Response(body=shot.data, content_type=shot.content_type, headers={
        "Content-Disposition": f'inline; filename="screenshot-{shot.id}"',
        "X-Content-SHA256": shot.sha256,
    })


ROUTES: tuple[Route, ...] = (
    Route("GET", "/intake/report", report_form, MODERATOR, "intake_report_form"),
    Route("POST", "/intake/report", report_submit, MODERATOR, "intake_report"),
    Route("GET", "/intake/reports", my_reports_page, MODERATOR, "intake_my_reports"),
    Route("GET", "/intake/invite/{token}", invite_form, PUBLIC, "intake_invite_form"),
    Route("POST", "/intake/invite/{token}", invite_accept, PUBLIC, "intake_invite"),
    Route("GET", "/intake/tokens", tokens_page, MODERATOR, "intake_tokens"),
    Route("POST", "/intake/tokens", token_create, MODERATOR, "intake_token_create"),
    Route("POST", "/intake/tokens/{token_id}/revoke", token_revoke, MODERATOR,
          "intake_token_revoke"),
    Route("GET", "/intake/items/{item_id}/reports", item_reports, DESK, "intake_item_reports"),
    Route("POST", "/intake/items/{item_id}/feedback", item_feedback, DESK, "intake_feedback"),
    Route("GET", "/intake/screenshots/{shot_id}", screenshot, DESK, "intake_screenshot"),
)
