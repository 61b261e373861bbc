"""Moderator accounts: one-time invitations, API tokens for bots, and the per-token rate limit.

Invitation links and API tokens are 256-bit random values shown once; only their SHA-256 is
stored. A fast hash is enough here (unlike passwords): the values are high-entropy, so there is
nothing to brute-force, and a lookup by hash needs no per-row salt.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from monitor.accounts.users import UserError, create_user, get_user
from monitor.audit import chain as audit
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import ApiToken, Invitation
from monitor.storage.types import utcnow

INVITE_DAYS = 7
TOKEN_PREFIX = "hmr_"  # noqa: S105 (a public prefix, not a secret): lets secret scanners and people recognise a leaked token
MAX_TOKENS = 10


class InvitationError(ValueError):
    """The invitation link cannot be used; the message says why, for the person holding it."""


class TokenError(ValueError):
    """A token request that cannot be carried out."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def invitation_link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/intake/invite/{token}"


@dataclass(frozen=True, slots=True)
class NewInvitation:
    invitation: Invitation
    token: str  # shown once, never stored


def invite(
    session: Session, *, label: str, actor: str, days: int = INVITE_DAYS,
    now: datetime | None = None,
) -> NewInvitation:
    """Create a moderator invitation for an e-mail address or a name."""
    label = label.strip()
    if not label or len(label) > 200:
        raise InvitationError("give the moderator's e-mail address or name (1-200 characters)")
    if days < 1 or days > 90:
        raise InvitationError(f"an invitation lasts 1-90 days, not {days}")
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    inv = Invitation(
        token_sha256=token_hash(token), label=label,
        email=label if "@" in label and " " not in label else None,
        role="moderator", created_by=actor, created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(inv)
    session.flush()
    audit.record(session, actor=actor, action="invitation.create", object_type="invitation",
                 object_id=inv.id, details={"label": label, "expires_at": inv.expires_at})
    return NewInvitation(inv, token)


def suggested_username(label: str) -> str:
    """A username to start the invitation form with, from the name or address the admin typed
    ("Sam Jones" -> "sam.jones", "sam@example.org" -> "sam"); the moderator may change it."""
    base = label.split("@", 1)[0] if "@" in label else label
    words = re.findall(r"[A-Za-z0-9]+", base.lower())
    name = ".".join(words)[:64]
    return name if len(name) >= 2 else ""


def find_invitation(session: Session, token: str, *, now: datetime | None = None) -> Invitation:
    """The usable invitation for this link, or InvitationError saying why it is not."""
    now = now or utcnow()
    inv = session.exec(
        select(Invitation).where(Invitation.token_sha256 == token_hash(token))
    ).first()
    if inv is None:
        raise InvitationError("this invitation link is not valid; ask the administrator again")
    if inv.accepted_at is not None:
        raise InvitationError("this invitation has already been used; log in instead")
    if inv.revoked_at is not None:
        raise InvitationError("this invitation was withdrawn; ask the administrator again")
    if inv.expires_at <= now:
        raise InvitationError("this invitation has expired; ask the administrator for a new one")
    return inv


def accept_invitation(
    session: Session, *, token: str, username: str, password: str, now: datetime | None = None,
) -> User:
    """Create the moderator's account and spend the link, in the caller's transaction.

    Raises InvitationError (bad link) or UserError (bad username/password)."""
    now = now or utcnow()
    inv = find_invitation(session, token, now=now)
    user = create_user(session, username=username, role=inv.role, password=password,
                       actor=f"invitation:{inv.id}", email=inv.email)
    # Spent only if still unspent: two tabs accepting at once cannot make two accounts.
    claimed = session.exec(
        select(Invitation).where(Invitation.id == inv.id, col(Invitation.accepted_at).is_(None))
        .with_for_update()
    ).first()
    if claimed is None:
        raise InvitationError("this invitation has already been used; log in instead")
    claimed.accepted_at = now
    claimed.user_id = user.id
    session.add(claimed)
    session.flush()
    audit.record(session, actor=username, action="invitation.accept", object_type="invitation",
                 object_id=inv.id, details={"user_id": user.id})
    return user


@dataclass(frozen=True, slots=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def create_token(
    session: Session, *, user: User, name: str, now: datetime | None = None
) -> NewToken:
    name = name.strip()
    if not name or len(name) > 80:
        raise TokenError("name the token after the bot that will use it (1-80 characters)")
    if user.role != "moderator":
        raise TokenError(f"API tokens are for moderators; {user.username} is {user.role}")
    active = session.exec(
        select(ApiToken.id).where(ApiToken.user_id == user.id, col(ApiToken.revoked_at).is_(None))
    ).all()
    if len(active) >= MAX_TOKENS:
        raise TokenError(f"{user.username} already has {MAX_TOKENS} tokens; revoke one first")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tok = ApiToken(user_id=user.id or 0, name=name, prefix=secret[:10],
                   token_sha256=token_hash(secret), created_at=now or utcnow())
    session.add(tok)
    session.flush()
    audit.record(session, actor=user.username, action="token.create", object_type="api_token",
                 object_id=tok.id, details={"name": name, "prefix": tok.prefix})
    return NewToken(tok, secret)


def list_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.exec(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(col(ApiToken.id).desc())
    ).all())


def revoke_token(
    session: Session, *, token_id: int, owner_id: int | None, actor: str,
    now: datetime | None = None,
) -> ApiToken:
    """Revoke a token; ``owner_id`` limits it to that user's tokens (None: administrator)."""
    tok = session.get(ApiToken, token_id)
    if tok is None or (owner_id is not None and tok.user_id != owner_id):
        raise TokenError(f"token {token_id} is not one of yours")
    if tok.revoked_at is None:
        tok.revoked_at = now or utcnow()
        session.add(tok)
        session.flush()
        audit.record(session, actor=actor, action="token.revoke", object_type="api_token",
                     object_id=tok.id, details={"name": tok.name, "user_id": tok.user_id})
    return tok


def authenticate_token(
    session: Session, secret: str, *, now: datetime | None = None
) -> tuple[User, ApiToken] | None:
    """The active moderator behind a bearer token, recording its use; None if not valid."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    tok = session.exec(
        select(ApiToken).where(ApiToken.token_sha256 == token_hash(secret))
    ).first()
    if tok is None or tok.revoked_at is not None:
        return None
    user = session.get(User, tok.user_id)
    if user is None or user.disabled or user.role != "moderator":
        return None
    tok.last_used_at = now or utcnow()
    session.add(tok)
    session.flush()
    return user, tok


def moderator_named(session: Session, name: str) -> User:
    user = get_user(session, name)
    if user is None:
        raise UserError(f"no user named {name!r}")
    return user


class TokenBucket:
    """Rate limit per key: ``rate`` requests per second on average, bursts of ``burst``.

    Kept in memory per process (the intake allows it): a restart refills every bucket, and with
    several server processes each has its own buckets, so the effective limit multiplies by the
    number of processes. Thread-safe; keys are token ids, user ids or client addresses, never
    secrets."""

    MAX_KEYS = 10_000  # bound memory under a spray of keys (e.g. client addresses)

    def __init__(self, *, rate: float = 1 / 6, burst: int = 10) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._state: dict[Hashable, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._now = time.monotonic

    def _level(self, key: Hashable, t: float) -> float:
        tokens, last = self._state.get(key, (self.burst, t))
        return min(self.burst, tokens + (t - last) * self.rate)

    def take(self, key: Hashable, now: float | None = None) -> float:
        """Spend one request; returns 0 when allowed, else the seconds to wait."""
        t = self._now() if now is None else now
        with self._lock:
            tokens = self._level(key, t)
            if tokens >= 1.0:
                self._state[key] = (tokens - 1.0, t)
                if len(self._state) > self.MAX_KEYS:
                    self._state.pop(next(iter(self._state)))
                return 0.0
            self._state[key] = (tokens, t)
            return (1.0 - tokens) / self.rate

    def wait(self, key: Hashable, now: float | None = None) -> float:
        """The seconds until ``key`` may spend again (0: now), spending nothing."""
        t = self._now() if now is None else now
        with self._lock:
            tokens = self._level(key, t)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate
