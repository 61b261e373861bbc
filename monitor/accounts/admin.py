"""An administrator runs the accounts: unlock, disable, enable, change a role, reset a password.

Each change is audited with the acting person and a reason-free summary (never a password), and
each runs inside the caller's write transaction. Disabling a user or resetting their password
ends every session they hold at once (the session epoch moves on, and the desk refuses a
disabled user's cookie on the next request); a disabled moderator's API tokens stop working too
(``moderators.authenticate_token`` checks the account).
"""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from monitor.accounts import sessions
from monitor.accounts.users import (
    ROLES,
    UserError,
    generate_password,
    hash_password,
    password_problem,
)
from monitor.audit import chain as audit
from monitor.storage.tables.accounts import User

ACTIONS = ("unlock", "disable", "enable", "set-role", "reset-password")


def _require(session: Session, username: str) -> User:
    user = session.exec(
        select(User).where(User.username == username).with_for_update()
    ).first()
    if user is None:
        raise UserError(f"no user named {username!r}")
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return int(session.exec(
        select(func.count()).select_from(User).where(
            User.role == "admin", col(User.disabled).is_(False), User.id != user.id)
    ).one())


def _keep_an_admin(session: Session, user: User, what: str) -> None:
    # Nobody could then run the accounts from the desk: refuse rather than lock the force out.
    if user.role == "admin" and not user.disabled and _other_active_admins(session, user) == 0:
        raise UserError(f"{user.username} is the last active administrator; {what} would leave "
                        "nobody to run the accounts (make another administrator first)")


def _end_sessions(user: User) -> None:
    prefs = dict(user.preferences or {})
    prefs[sessions.EPOCH_KEY] = sessions.session_epoch(user) + 1
    user.preferences = prefs


def unlock(session: Session, *, username: str, actor: str) -> User:
    user = _require(session, username)
    user.locked_until = None
    user.failed_logins = 0
    session.add(user)
    audit.record(session, actor=actor, action="user.unlock", object_type="user",
                 object_id=user.id, details={"username": user.username})
    return user


def disable(session: Session, *, username: str, actor: str) -> User:
    user = _require(session, username)
    _keep_an_admin(session, user, "disabling them")
    user.disabled = True
    _end_sessions(user)
    session.add(user)
    audit.record(session, actor=actor, action="user.disable", object_type="user",
                 object_id=user.id, details={"username": user.username})
    return user


def enable(session: Session, *, username: str, actor: str) -> User:
    user = _require(session, username)
    user.disabled = False
    user.locked_until = None
    user.failed_logins = 0
    session.add(user)
    audit.record(session, actor=actor, action="user.enable", object_type="user",
                 object_id=user.id, details={"username": user.username})
    return user


def set_role(session: Session, *, username: str, role: str, actor: str) -> User:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    user = _require(session, username)
    if user.role == role:
        return user
    if role != "admin":
        _keep_an_admin(session, user, f"making them {role}")
    before = user.role
    user.role = role
    _end_sessions(user)  # pages already open were drawn for the old role
    session.add(user)
    audit.record(session, actor=actor, action="user.set_role", object_type="user",
                 object_id=user.id,
                 details={"username": user.username, "from": before, "to": role})
    return user


def reset_password(
    session: Session, *, username: str, actor: str, password: str | None = None
) -> str:
    """Set a new password (generated unless given) and return it, to be shown once. Ends the
    user's sessions and clears a lock-out; the audit event never holds the password."""
    user = _require(session, username)
    new = password if password is not None else generate_password()
    problem = password_problem(new, user.username)
    if problem:
        raise UserError(problem)
    user.password_hash = hash_password(new)
    user.locked_until = None
    user.failed_logins = 0
    _end_sessions(user)
    session.add(user)
    audit.record(session, actor=actor, action="user.reset_password", object_type="user",
                 object_id=user.id,
                 details={"username": user.username, "generated": password is None})
    return new



