"""Login (password, then TOTP when enrolled), logout, and the home redirect."""

from __future__ import annotations

import time

from aiohttp import web

from monitor.accounts import sessions, users
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import ANY_USER, DESK, PUBLIC, Route
from review_ui.middlewares import redirect
from review_ui.render import render
from review_ui.views.common import client_address, current_user, safe_next, with_query

BAD_LOGIN = (
    "Wrong username or password, or the account is locked after repeated failed logins. "
    f"A locked account opens again after {sessions.LOCK_MINUTES} minutes; an administrator "
    "can unlock it sooner."
)
TOO_MANY = "Too many failed logins from this address. Wait 15 minutes and try again."


def _find(db: Database, username: str) -> User | None:
    with db.read() as s:
        return users.get_user(s, username)


def _fail(db: Database, user_id: int, address: str) -> None:
    with db.write() as s:
        sessions.register_failure(s, user_id, now=utcnow(), address=address)


def _succeed(db: Database, user_id: int, address: str, step: str) -> None:
    with db.write() as s:
        sessions.register_success(s, user_id, address=address, step=step)


async def home(request: web.Request) -> web.StreamResponse:
    user = current_user(request)
    if user.role in DESK:
        return redirect("/queue")
    if user.role == "moderator":
        return redirect("/intake/reports")
    return render(request, "home.html")


async def login_form(request: web.Request) -> web.StreamResponse:
    if request.get(keys.USER) is not None:
        return redirect(safe_next(request.query.get("next")))
    created = request.query.get("msg") == "account_created"
    return render(request, "login.html", {
        "error": None, "next": safe_next(request.query.get("next")),
        "username": request.query.get("username", "")[:64] if created else "",
        "notice": "Your account has been created. Log in with the username and password you "
                  "just chose." if created else None,
    })


async def login(request: web.Request) -> web.StreamResponse:
    app = request.app
    db, throttle = app[keys.DB], app[keys.THROTTLE]
    form = await request.post()
    username = str(form.get("username", ""))[:64].strip()
    password = str(form.get("password", ""))[:1024]
    target = safe_next(str(form.get("next", "")))
    address = client_address(request)
    ctx = {"username": username, "next": target}
    client_blocked = throttle.blocked(address, time.monotonic())
    user = await db.run(_find, db, username)
    now = utcnow()
    locked = user is not None and sessions.is_locked(user, now)
    # Argon2 is deliberately slow: keep it off the event loop. It runs for unknown and locked
    # accounts too, so the time taken says nothing about which it was.
    ok = await db.run(users.check_password, user, password)
    if ok and not locked and user is not None and user.id is not None:
        # A correct password on an unlocked account is never refused for other people's
        # failures, even from a throttled address (see monitor.accounts.throttle).
        throttle.succeeded(address)
        hours = app[keys.SETTINGS]["service.session_hours"]
        session = request[keys.SESSION]
        if user.totp_secret:
            request[keys.NEW_SESSION] = session.logged_in(user, now=now, hours=hours,
                                                         mfa_pending=True)
            return redirect(with_query("/login/totp", {"next": target}))
        await db.run(_succeed, db, user.id, address, "password")
        request[keys.NEW_SESSION] = session.logged_in(user, now=now, hours=hours,
                                                     mfa_pending=False)
        return redirect(target)
    throttle.failed(address, time.monotonic())
    if user is not None and user.id is not None and not locked:
        await db.run(_fail, db, user.id, address)
    if client_blocked:
        return render(request, "login.html", {**ctx, "error": TOO_MANY}, status=429)
    # One answer for a wrong password, an unknown name and a locked account: telling them
    # apart would confirm to a guesser which usernames exist.
    return render(request, "login.html", {**ctx, "error": BAD_LOGIN}, status=401)


def _pending_user(request: web.Request) -> int:
    session = request[keys.SESSION]
    if session.user_id is None or not session.mfa_pending:
        raise web.HTTPSeeOther("/login")
    return session.user_id


async def totp_form(request: web.Request) -> web.StreamResponse:
    _pending_user(request)
    return render(request, "totp.html", {"error": None,
                                         "next": safe_next(request.query.get("next"))})


def _second_factor(db: Database, user_id: int, code: str, address: str) -> bool:
    """Check and spend the code, and record the login, in one transaction: two requests racing
    with the same code cannot both get in."""
    with db.write() as s:
        if not sessions.use_totp(s, user_id, code, now=utcnow()):
            return False
        sessions.register_success(s, user_id, address=address, step="totp")
        return True


async def totp_verify(request: web.Request) -> web.StreamResponse:
    app = request.app
    db, throttle = app[keys.DB], app[keys.THROTTLE]
    uid = _pending_user(request)
    form = await request.post()
    target = safe_next(str(form.get("next", "")))
    address = client_address(request)
    client_blocked = throttle.blocked(address, time.monotonic())
    user = await db.run(_find_id, db, uid)
    now = utcnow()
    if user is None or user.disabled or not user.totp_secret or sessions.is_locked(user, now):
        request[keys.NEW_SESSION] = sessions.SessionData.anonymous(
            now, app[keys.SETTINGS]["service.session_hours"])
        return redirect("/login")
    # As with passwords: a right code is never refused because of other people's failures.
    if not await db.run(_second_factor, db, uid, str(form.get("code", ""))[:16], address):
        throttle.failed(address, time.monotonic())
        await db.run(_fail, db, uid, address)
        if client_blocked:
            return render(request, "totp.html", {"next": target, "error": (
                "Too many failed attempts from this address. Wait 15 minutes.")}, status=429)
        return render(request, "totp.html", {"next": target, "error": (
            "That code is not right, or it has been used already. Use the current 6-digit "
            "code from your app.")}, status=401)
    request[keys.NEW_SESSION] = request[keys.SESSION].logged_in(
        user, now=now, hours=app[keys.SETTINGS]["service.session_hours"], mfa_pending=False)
    return redirect(target)


def _find_id(db: Database, user_id: int) -> User | None:
    with db.read() as s:
        return sessions.get_user_by_id(s, user_id)


def _logout(db: Database, user_id: int) -> None:
    with db.write() as s:
        sessions.bump_epoch(s, user_id)


async def logout(request: web.Request) -> web.StreamResponse:
    db = request.app[keys.DB]
    session = request[keys.SESSION]
    if session.user_id is not None:
        await db.run(_logout, db, session.user_id)
    request[keys.NEW_SESSION] = sessions.SessionData.anonymous(
        utcnow(), request.app[keys.SETTINGS]["service.session_hours"])
    return redirect("/login")


ROUTES: tuple[Route, ...] = (
    Route("GET", "/login", login_form, PUBLIC, "login_form"),
    Route("POST", "/login", login, PUBLIC, "login"),
    Route("GET", "/login/totp", totp_form, PUBLIC, "totp_form"),
    Route("POST", "/login/totp", totp_verify, PUBLIC, "totp_verify"),
    Route("POST", "/logout", logout, ANY_USER, "logout"),
    Route("GET", "/", home, ANY_USER, "home"),
)
