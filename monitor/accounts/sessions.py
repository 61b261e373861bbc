"""Login state: signed session cookies, CSRF tokens, throttling, lock-out, TOTP.

Sessions live in the cookie itself, signed with HMAC-SHA256 under ``service.secret_key``; the
server keeps no session table. Logging out bumps the user's session epoch (kept in
``User.preferences``) so every cookie issued before it stops working, not just the one in hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlmodel import Session

from monitor.audit import chain as audit
from monitor.storage.tables.accounts import User
from monitor.storage.types import utcnow

COOKIE_NAME = "hm_session"
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
EPOCH_KEY = "_session_epoch"
TOTP_STEP_KEY = "_totp_last_step"  # the newest TOTP step used, so no code is accepted twice
PREFERENCE_KEYS = ("blur_text", "greyscale_images")
# Blur is on until the user turns it off: hateful text should never be the first thing a new
# reviewer sees by surprise (reviewer wellness; the user can turn it off on their account page).
PREFERENCE_DEFAULTS: dict[str, bool] = {"blur_text": True, "greyscale_images": False}
_SIG_CONTEXT = b"hate-monitor session v1|"


@dataclass(frozen=True, slots=True)
class SessionData:
    user_id: int | None
    csrf: str
    expires: int  # Unix seconds
    epoch: int = 0
    mfa_pending: bool = False
    totp_pending: str | None = None  # a secret being enrolled, until the first code confirms it

    @classmethod
    def anonymous(cls, now: datetime, hours: int) -> SessionData:
        return cls(None, secrets.token_urlsafe(32), int(now.timestamp()) + hours * 3600)

    def logged_in(self, user: User, *, now: datetime, hours: int, mfa_pending: bool) -> SessionData:
        # A fresh CSRF token at every privilege change stops session fixation.
        return SessionData(
            user_id=user.id,
            csrf=secrets.token_urlsafe(32),
            expires=int(now.timestamp()) + hours * 3600,
            epoch=session_epoch(user),
            mfa_pending=mfa_pending,
        )

    def with_totp_pending(self, secret: str | None) -> SessionData:
        return replace(self, totp_pending=secret)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: str, payload: str) -> str:
    return _b64(hmac.new(key.encode(), _SIG_CONTEXT + payload.encode(), hashlib.sha256).digest())


def encode_session(data: SessionData, key: str) -> str:
    payload = _b64(json.dumps(asdict(data), separators=(",", ":")).encode())
    return f"{payload}.{_sign(key, payload)}"


def decode_session(cookie: str | None, key: str, *, now: datetime) -> SessionData | None:
    """The session in a cookie, or None if it is missing, forged, malformed or expired."""
    if not cookie or "." not in cookie or len(cookie) > 4096:
        return None
    payload, _, sig = cookie.partition(".")
    if not secrets.compare_digest(sig, _sign(key, payload)):
        return None
    try:
        raw = json.loads(_unb64(payload))
        data = SessionData(**raw)
    except (ValueError, TypeError, binascii.Error):
        return None
    if data.expires < now.timestamp():
        return None
    return data


def csrf_ok(session: SessionData | None, presented: str | None) -> bool:
    if session is None or not presented:
        return False
    return secrets.compare_digest(session.csrf.encode(), presented.encode())


# --- account state (called through Database.run) ----------------------------------------------


def session_epoch(user: User) -> int:
    value = (user.preferences or {}).get(EPOCH_KEY, 0)
    return value if isinstance(value, int) else 0


def is_locked(user: User, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def register_failure(session: Session, user_id: int, *, now: datetime, address: str) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise LookupError(f"user {user_id} vanished during login")
    user.failed_logins += 1
    locked = user.failed_logins >= MAX_FAILED_LOGINS
    if locked:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0
    session.add(user)
    audit.record(session, actor=user.username, action="login.failed", object_type="user",
                 object_id=user.id, details={"address": address, "locked": locked})
    return user


def register_success(session: Session, user_id: int, *, address: str, step: str) -> None:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        return
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    audit.record(session, actor=user.username, action=f"login.{step}", object_type="user",
                 object_id=user.id, details={"address": address})


def bump_epoch(session: Session, user_id: int) -> None:
    """Invalidate every session cookie this user holds (logout)."""
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        return
    prefs = dict(user.preferences or {})
    prefs[EPOCH_KEY] = session_epoch(user) + 1
    user.preferences = prefs
    session.add(user)
    audit.record(session, actor=user.username, action="logout", object_type="user",
                 object_id=user.id)


def set_preferences(session: Session, user_id: int, values: dict[str, bool]) -> User:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise LookupError(f"user {user_id} does not exist")
    prefs = dict(user.preferences or {})
    prefs.update({k: bool(v) for k, v in values.items() if k in PREFERENCE_KEYS})
    user.preferences = prefs
    session.add(user)
    return user


def preferences(user: User) -> dict[str, Any]:
    prefs = user.preferences or {}
    return {k: bool(prefs.get(k, PREFERENCE_DEFAULTS[k])) for k in PREFERENCE_KEYS}


def new_totp_secret() -> str:
    return str(pyotp.random_base32())


def totp_uri(secret: str, username: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="hate-monitor"))


def totp_step(secret: str, code: str, *, at: datetime) -> int | None:
    """The 30-second step a code belongs to (the current one, or one either side for clock
    drift), or None when it matches none of them."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(at.timestamp())
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def totp_ok(secret: str, code: str, *, at: datetime | None = None) -> bool:
    """Whether the code is right now; does not spend it (see ``use_totp``)."""
    return totp_step(secret, code, at=at or utcnow()) is not None


def last_totp_step(user: User) -> int:
    value = (user.preferences or {}).get(TOTP_STEP_KEY, -1)
    return value if isinstance(value, int) else -1


def use_totp(
    session: Session, user_id: int, code: str, *, now: datetime, secret: str | None = None
) -> bool:
    """Check a code against the user's secret (or ``secret``, one being enrolled) and spend it.

    A code is good for one use: its step, and every step before it, is refused afterwards, so a
    code read over a shoulder or replayed from a proxy log cannot be used again in its window."""
    user = session.get(User, user_id, with_for_update=True)
    key = secret or (user.totp_secret if user is not None else None)
    if user is None or not key:
        return False
    step = totp_step(key, code, at=now)
    if step is None or step <= last_totp_step(user):
        return False
    prefs = dict(user.preferences or {})
    prefs[TOTP_STEP_KEY] = step
    user.preferences = prefs
    session.add(user)
    return True


def set_totp(session: Session, user_id: int, secret: str | None) -> None:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise LookupError(f"user {user_id} does not exist")
    user.totp_secret = secret
    session.add(user)
    audit.record(session, actor=user.username, action="totp.enable" if secret else "totp.disable",
                 object_type="user", object_id=user.id)


class TotpError(ValueError):
    """Enrolment refused; ``field`` names the form field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def enrol_totp(
    session: Session, user_id: int, *, secret: str, code: str, current_code: str, now: datetime
) -> None:
    """Turn on (or replace) the second factor once a first code proves the app holds
    ``secret``. Replacing one needs a code from the current one too: a stolen session alone must
    not be able to swap the victim's authenticator for the thief's."""
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise LookupError(f"user {user_id} does not exist")
    step = totp_step(secret, code, at=now)
    if step is None:
        raise TotpError("code", "That code does not match; check the clock on your device and "
                        "enter the current 6-digit code.")
    replacing = bool(user.totp_secret)
    if replacing and not use_totp(session, user_id, current_code, now=now):
        raise TotpError("current_code", "Enter the current code from the app you use now "
                        "(a code works once; wait for the next one if you just used it).")
    prefs = dict(user.preferences or {})
    prefs[TOTP_STEP_KEY] = max(step, last_totp_step(user))  # the enrolment code is spent too
    user.preferences = prefs
    user.totp_secret = secret
    session.add(user)
    audit.record(session, actor=user.username,
                 action="totp.replace" if replacing else "totp.enable",
                 object_type="user", object_id=user.id)


def get_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
