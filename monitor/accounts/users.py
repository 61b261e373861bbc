"""Accounts: creation and password checks (Argon2id)."""

from __future__ import annotations

import functools
import re
import secrets
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, func, select

from monitor.audit import chain as audit
from monitor.storage.tables.accounts import User

ROLES = ("admin", "officer", "moderator")
MIN_PASSWORD = 12
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")

_hasher = PasswordHasher()
# Verifying against this when the user does not exist keeps the timing of a failed login the
# same whether or not the name is known.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


class UserError(ValueError):
    """A user-management request that cannot be carried out, phrased for the person asking."""


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords (lower case), read once."""
    text = resources.files("monitor.accounts").joinpath("common_passwords.txt").read_text(
        encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, phrased for the person choosing it; None if it is fine."""
    if len(password) < MIN_PASSWORD:
        return f"password must be at least {MIN_PASSWORD} characters"
    low = password.lower()
    if low in common_passwords():
        return "that password is on the list of common passwords; choose a less guessable one"
    if username and username.lower() in low and len(low) - len(username) < MIN_PASSWORD // 2:
        return "the password must not be mostly the username"
    if len(set(password)) < 4:
        return "the password repeats too few characters; choose a less guessable one"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    """Constant-effort check; False for unknown or disabled users too."""
    target = user.password_hash if user is not None else _DUMMY_HASH
    try:
        ok: bool = _hasher.verify(target, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    return ok and user is not None and not user.disabled


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def count_users(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(User)).one())


def list_users(session: Session) -> list[User]:
    return list(session.exec(select(User).order_by(User.username)).all())


def get_user(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


def create_user(
    session: Session,
    *,
    username: str,
    role: str,
    password: str,
    actor: str,
    display_name: str = "",
    email: str | None = None,
) -> User:
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if not _USERNAME.match(username):
        raise UserError(
            f"username {username!r} must be 2-64 letters, digits or . _ @ - (no spaces)"
        )
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem)
    if get_user(session, username) is not None:
        raise UserError(f"a user named {username!r} already exists")
    user = User(
        username=username,
        role=role,
        password_hash=hash_password(password),
        display_name=display_name or username,
        email=email,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.id,
        details={"username": username, "role": role},
    )
    return user
