"""The protocol every connector implements, and the small error taxonomy they raise.

A connector is given the process's shared ``aiohttp.ClientSession``, a ``SourceSpec`` and the
cursor stored for that source, and yields ``Page``s: the posts of one platform page and the cursor
to store *after* those posts are safely in the database. The sweep owns storing and the cursor;
the scheduler owns backoff after ``RateLimited`` or repeated ``SourceUnavailable``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from connectors.post import Post


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
class Page:
    """One page of posts and the cursor that is safe to store once they are stored."""

    posts: tuple[Post, ...]
    cursor: str | None
    skipped: int = 0


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
