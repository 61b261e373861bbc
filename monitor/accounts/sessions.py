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
from collections import deque
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import pyotp
from sqlmodel import Session

from monitor.audit import chain as audit
from monitor.storage.tables.accounts import User

COOKIE_NAME = "hm_session"
MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
EPOCH_KEY = "_session_epoch"
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


class LoginThrottle:
    """Failed logins per client address in a sliding window (in memory, per process)."""

    def __init__(self, limit: int = 20, window_s: int = 900) -> None:
        self.limit = limit
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        fails = self._fails.setdefault(address, deque())
        while fails and fails[0] <= now - self.window_s:
            fails.popleft()
        return fails

    def blocked(self, address: str, now: float) -> bool:
        return len(self._recent(address, now)) >= self.limit

    def failed(self, address: str, now: float) -> None:
        self._recent(address, now).append(now)
        if len(self._fails) > 10_000:  # bound memory under a spray of addresses
            self._fails.pop(next(iter(self._fails)))

    def succeeded(self, address: str) -> None:
        self._fails.pop(address, None)


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


def totp_ok(secret: str, code: str) -> bool:
    code = code.strip().replace(" ", "")
    return code.isdigit() and bool(pyotp.TOTP(secret).verify(code, valid_window=1))


def set_totp(session: Session, user_id: int, secret: str | None) -> None:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise LookupError(f"user {user_id} does not exist")
    user.totp_secret = secret
    session.add(user)
    audit.record(session, actor=user.username, action="totp.enable" if secret else "totp.disable",
                 object_type="user", object_id=user.id)


def get_user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)
