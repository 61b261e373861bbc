"""Accounts (admins only): unlock, disable, enable, change a role, reset a password. The rules
and the audit events live in ``monitor.accounts.admin``; this page only asks and shows."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from monitor.accounts import admin, users
from monitor.accounts.users import ROLES, UserError
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow
from review_ui import keys
from review_ui.access import Route
from review_ui.render import render
from review_ui.views.common import current_user, int_param

ADMIN = frozenset({"admin"})
DONE = {
    "unlock": "Unlocked {name}.",
    "disable": "Disabled {name}; their sessions and API tokens stopped working.",
    "enable": "Enabled {name}.",
    "role": "{name} is now {role}; they log in again.",
}


def _rows(db: Database) -> list[dict[str, Any]]:
    now = utcnow()
    with db.read() as s:
        return [{"id": u.id, "username": u.username, "role": u.role, "disabled": u.disabled,
                 "locked": u.locked_until is not None and u.locked_until > now,
                 "totp": bool(u.totp_secret)} for u in users.list_users(s)]


async def _page(request: web.Request, *, message: str | None = None, error: str | None = None,
                password: tuple[str, str] | None = None, status: int = 200) -> web.Response:
    db = request.app[keys.DB]
    rows = await db.run(_rows, db)
    return render(request, "users/list.html", {
        "rows": rows, "roles": ROLES, "message": message, "error": error,
        "password": password,
    }, status=status)


async def users_page(request: web.Request) -> web.StreamResponse:
    return await _page(request)


def _act(db: Database, user_id: int, action: str, role: str, actor: str) -> tuple[str, str]:
    with db.write() as s:
        target = s.get(User, user_id)
        if target is None:
            raise web.HTTPNotFound()
        name = target.username
        if action == "unlock":
            admin.unlock(s, username=name, actor=actor)
        elif action == "disable":
            admin.disable(s, username=name, actor=actor)
        elif action == "enable":
            admin.enable(s, username=name, actor=actor)
        elif action == "role":
            admin.set_role(s, username=name, role=role, actor=actor)
        elif action == "reset-password":
            return name, admin.reset_password(s, username=name, actor=actor)
        else:
            raise web.HTTPNotFound()
        return name, ""


async def user_action(request: web.Request) -> web.StreamResponse:
    user_id = int_param(request, "user_id")
    action = request.match_info.get("action", "")
    form = await request.post()
    role = str(form.get("role", ""))[:16]
    actor = current_user(request).username
    db = request.app[keys.DB]
    try:
        name, password = await db.run(_act, db, user_id, action, role, actor)
    except UserError as err:
        return await _page(request, error=str(err), status=400)
    if action == "reset-password":
        # Shown once, on this response only: never in a URL, a log or the audit trail.
        return await _page(request, password=(name, password))
    return await _page(request, message=DONE[action].format(name=name, role=role))


ROUTES: tuple[Route, ...] = (
    Route("GET", "/users", users_page, ADMIN, "users"),
    Route("POST", "/users/{user_id}/{action}", user_action, ADMIN, "user_action"),
)
