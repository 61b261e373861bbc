"""The user's own settings: reviewer-wellness preferences and the TOTP second factor."""

from __future__ import annotations

from aiohttp import web

from monitor.accounts import sessions
from monitor.storage.db import Database
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import ANY_USER, Route
from review_ui.middlewares import redirect
from review_ui.render import render
from review_ui.views.common import current_user, message


def _save_prefs(db: Database, user_id: int, values: dict[str, bool]) -> None:
    with db.write() as s:
        sessions.set_preferences(s, user_id, values)


def _set_totp(db: Database, user_id: int, secret: str | None) -> None:
    with db.write() as s:
        sessions.set_totp(s, user_id, secret)


async def account(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    return render(request, "account.html", {
        "prefs": sessions.preferences(user),
        "totp_enabled": bool(user.totp_secret),
        "message": message(request),
        "totp_error": None,
    })


async def save_preferences(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    form = await request.post()
    values = {k: form.get(k) == "on" for k in sessions.PREFERENCE_KEYS}
    db = request.app[keys.DB]
    await db.run(_save_prefs, db, user.id or 0, values)
    return redirect("/account?msg=prefs")


def _enrol_context(request: web.Request, secret: str, error: str | None) -> dict[str, object]:
    user = current_user(request)
    return {
        "secret": secret,
        "uri": sessions.totp_uri(secret, user.username),
        "error": error,
        "replacing": bool(user.totp_secret),
    }


def _enrol(db: Database, user_id: int, secret: str, code: str, current_code: str) -> None:
    with db.write() as s:
        sessions.enrol_totp(s, user_id, secret=secret, code=code, current_code=current_code,
                            now=utcnow())


def _spend(db: Database, user_id: int, code: str) -> bool:
    with db.write() as s:
        return sessions.use_totp(s, user_id, code, now=utcnow())


async def totp_enrol_form(request: web.Request) -> web.StreamResponse:
    # The secret waits in the signed session until a first code proves the app has it.
    secret = sessions.new_totp_secret()
    request[keys.NEW_SESSION] = request[keys.SESSION].with_totp_pending(secret)
    return render(request, "totp_enrol.html", _enrol_context(request, secret, None))


async def totp_enrol(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    secret = request[keys.SESSION].totp_pending
    if not secret:
        return redirect("/account/totp")
    form = await request.post()
    db = request.app[keys.DB]
    try:
        await db.run(_enrol, db, user.id or 0, secret, str(form.get("code", ""))[:16],
                     str(form.get("current_code", ""))[:16])
    except sessions.TotpError as err:
        return render(request, "totp_enrol.html", _enrol_context(request, secret, str(err)),
                      status=400)
    request[keys.NEW_SESSION] = request[keys.SESSION].with_totp_pending(None)
    return redirect("/account?msg=totp_on")


async def totp_disable(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    form = await request.post()
    db = request.app[keys.DB]
    # A stolen, unlocked session alone must not be enough to strip the second factor; the code
    # is spent, so one read over a shoulder cannot be replayed here.
    if user.totp_secret and not await db.run(_spend, db, user.id or 0,
                                             str(form.get("code", ""))[:16]):
        return render(request, "account.html", {
            "prefs": sessions.preferences(user), "totp_enabled": True, "message": None,
            "totp_error": "Enter the current code from your app to turn two-factor sign-in off.",
        }, status=400)
    await db.run(_set_totp, db, user.id or 0, None)
    return redirect("/account?msg=totp_off")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/account", account, ANY_USER, "account"),
    Route("POST", "/account/preferences", save_preferences, ANY_USER, "preferences"),
    Route("GET", "/account/totp", totp_enrol_form, ANY_USER, "totp_enrol_form"),
    Route("POST", "/account/totp", totp_enrol, ANY_USER, "totp_enrol"),
    Route("POST", "/account/totp/disable", totp_disable, ANY_USER, "totp_disable"),
)
