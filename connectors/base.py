"""The protocol every connector implements, and the small error taxonomy they raise.

A connector is given the process's shared ``aiohttp.ClientSession``, a ``SourceSpec`` and the
cursor stored for that source, and yields ``Page``s: the posts of one platform page and the cursor
to store *after* those posts are safely in the database. The sweep owns storing and the cursor;
the scheduler owns backoff after ``RateLimited`` or repeated ``SourceUnavailable``.

Also here: ``ConnectorBase`` (the constructor every connector shares), ``Target`` (the post a
reported URL names, see ``connectors.resolve``), ``RetryPolicy`` and the readers of a source's
options.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp

from connectors.post import Post

if TYPE_CHECKING:
    from connectors.http.client import Pacer


class ConnectorError(Exception):
    """Base of every connector failure; the message names the source and what went wrong."""


class SourceUnavailable(ConnectorError):
    """Transient: network error, timeout or 5xx after bounded retries. Try again later."""


class RateLimited(ConnectorError):
    """The platform asked us to slow down; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = max(0.0, float(retry_after))


class AuthFailed(ConnectorError):
    """401/403: credentials missing, wrong or revoked. Needs a person, not a retry."""


class PermanentError(ConnectorError):
    """The source cannot be read as configured (not found, private, banned, no preview...)."""


class MalformedResponse(ConnectorError):
    """The platform answered with something we cannot parse (truncated JSON, HTML error page)."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """What to read: which connector, which place on it, and how to reach it."""

    connector: str
    target: str
    base_url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    name: str = ""

    def label(self) -> str:
        return self.name or f"{self.connector}:{self.target}"


@dataclass(frozen=True, slots=True)
class Unreadable:
    """An item the parser could not turn into a ``Post`` (a required field missing, a bad value).

    It is handed to the sweep rather than dropped: the walk's mark may move past it only because
    the sweep keeps it (with ``raw`` exactly as the parser saw it) on the source's "could not read"
    list, to be read again by ``Connector.reparse`` after a parser upgrade.
    """

    raw: bytes
    reason: str
    key: str | None = None  # the platform's id for it, when that much could be read
    content_type: str = "application/json"
    response_url: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One page of posts and the cursor that is safe to store once they are stored.

    ``unreadable`` are the page's items that could not be read (kept, never dropped);
    ``incomplete`` says, in words, what part of a response could not be read at all (a document
    cut short, a gap in ids that a refetch did not fill), so the sweep can report it.
    """

    posts: tuple[Post, ...]
    cursor: str | None
    unreadable: tuple[Unreadable, ...] = ()
    incomplete: tuple[str, ...] = ()

    @property
    def skipped(self) -> int:
        return len(self.unreadable)


@dataclass(frozen=True, slots=True)
class Target:
    """A recognised post URL: which platform, on which host, and the ids in it."""

    platform: str
    host: str
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"RetryPolicy.max_attempts must be >= 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError(
                f"RetryPolicy delays must be >= 0, got {self.base_delay}, {self.max_delay}"
            )

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter delay before retry number ``attempt`` (1-based)."""
        cap = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return (rng or random).uniform(0.0, cap)


DEFAULT_RETRY = RetryPolicy()  # frozen, so one shared default is safe


class Connector(Protocol):
    """Reads one kind of platform. Implementations hold no per-source state."""

    name: str

    def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        """Yield pages newer than ``cursor`` (or up to ``backfill_limit`` posts on a first run)."""
        ...

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        """Read a kept "could not read" item again with today's parser: its posts (a comment
        thread holds several), or ``MalformedResponse`` when it still cannot be read."""
        ...


class ConnectorBase:
    """The constructor every connector shares: how it sleeps, reads the time, retries and draws
    jitter (tests pass fakes), and its ``Pacer`` if the platform paces on rate-limit headers."""

    name: str

    def __init__(
        self,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        retry: RetryPolicy | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._sleep = sleep
        self._clock = clock
        self._retry = retry or DEFAULT_RETRY
        self._rng = rng
        self._pacer = self._make_pacer()

    def _make_pacer(self) -> Pacer | None:
        """Override to pace requests on the platform's rate-limit headers."""
        return None


def int_option(
    options: Mapping[str, Any], key: str, default: int, low: int, high: int, *, source: str
) -> int:
    """A whole-number source option within [low, high]; options arrive as text from the CLI."""
    value = options.get(key, default)
    try:
        number = int(str(value).strip())
    except ValueError as err:
        raise PermanentError(
            f"{source}: option {key} must be a whole number {low}-{high}, not {value!r}"
        ) from err
    return max(low, min(high, number))


def bool_option(options: Mapping[str, Any], key: str, default: bool, *, source: str) -> bool:
    value = options.get(key, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise PermanentError(f"{source}: option {key} must be true or false, not {value!r}")
