"""The one HTTP layer every connector goes through.

``request`` turns the platform's answer into either a ``Response`` or one of the errors of
``connectors.base``, so that connectors never classify status codes themselves:

- 2xx (and 304) are returned;
- 429 raises ``RateLimited`` with the platform's own wait (a connector-supplied parser, else
  ``Retry-After`` in seconds or as an HTTP date, else 60 seconds); the scheduler owns that wait;
- 5xx, timeouts and connection errors are retried with exponential backoff and full jitter,
  bounded by ``RetryPolicy``, then raise ``SourceUnavailable``;
- 401/403 raise ``AuthFailed`` (a person must fix the credentials; retrying would not help);
- 404/410 and any other 4xx raise ``PermanentError``.

Every message names the source and is passed through ``redact`` first: access tokens, API keys
and client secrets in query strings, and any string the caller lists in ``secrets``, never reach
a log, an exception or the database.

``Pacer`` paces requests on a platform's own rate-limit headers so that we slow down *before* the
platform refuses us. The helpers below (dates, ids, Link headers, the raw item bytes, source
health logging) are what every connector needs and should not re-implement.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from connectors.base import (
    AuthFailed,
    MalformedResponse,
    PermanentError,
    RateLimited,
    SourceUnavailable,
)

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60.0
EXCERPT_LEN = 200
REDACTED = "<redacted>"
# Query parameters whose values are credentials on some platform (case-insensitive).
SECRET_PARAMS = frozenset(
    {
        "access_token",
        "refresh_token",
        "token",
        "key",
        "api_key",
        "apikey",
        "api-key",
        "client_secret",
        "password",
        "secret",
        "sig",
        "signature",
        "code",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]+")


# --------------------------------------------------------------------------- redaction


def redact_url(url: str, secrets: Sequence[str] = ()) -> str:
    """The URL with credential-bearing query values and userinfo replaced by ``<redacted>``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact(url, secrets)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = REDACTED + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k.lower() in SECRET_PARAMS for k, _ in pairs):
            query = urlencode(
                [(k, REDACTED if k.lower() in SECRET_PARAMS else v) for k, v in pairs],
                safe="<>[]",
            )
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)), secrets)


def redact(text: str, secrets: Sequence[str] = ()) -> str:
    """``text`` with every (non-trivial) secret string replaced, longest first."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def excerpt(body: bytes, secrets: Sequence[str] = (), limit: int = EXCERPT_LEN) -> str:
    """A short, single-line, redacted piece of a response body for an error message."""
    text = body[: limit * 4].decode("utf-8", errors="replace")
    text = _CONTROL.sub(" ", text).replace("\n", " ").strip()
    text = redact(text, secrets)
    return text[:limit] + ("…" if len(text) > limit else "")


# --------------------------------------------------------------------------- response


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str
    # Label of the source that asked, so parse errors name it; not part of the identity.
    source: str = field(default="", compare=False)

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as err:
            where = f"{self.source}: " if self.source else ""
            raise MalformedResponse(
                f"{where}response from {self.url} is not valid JSON ({err}); "
                f"{len(self.body)} bytes starting {excerpt(self.body, limit=80)!r}"
            ) from err

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- rate limits


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


@dataclass(frozen=True, slots=True)
class RateLimitState:
    remaining: float | None
    reset_at: float | None  # epoch seconds


class Pacer:
    """Per-host pacing on a platform's own rate-limit headers: waits before a request when the
    last response said the remaining budget is (nearly) spent, until its reset time.

    A wait longer than ``max_wait`` is not slept through: ``RateLimited`` is raised instead so the
    scheduler, which owns long backoffs, can serve other sources meanwhile.
    """

    def __init__(
        self,
        parse: Callable[[Mapping[str, str]], RateLimitState | None],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        reserve: float = 1.0,
        max_wait: float = 120.0,
        states: dict[str, RateLimitState] | None = None,
    ) -> None:
        self._parse = parse
        self._sleep = sleep
        self._clock = clock
        self._reserve = reserve
        self._max_wait = max_wait
        # Pass a module-level dict to share budgets across connector instances: the sweep makes
        # a new connector per run, but the platform's budget belongs to the process.
        self._states: dict[str, RateLimitState] = {} if states is None else states

    def observe(self, host: str, headers: Mapping[str, str]) -> None:
        try:
            state = self._parse(headers)
        except (ValueError, TypeError, OverflowError):
            # A garbled rate-limit header must not fail an otherwise good response.
            log.debug("ignoring unparsable rate-limit headers from %s", host)
            return
        if state is not None:
            self._states[host] = state

    def state(self, host: str) -> RateLimitState | None:
        return self._states.get(host)

    def delay(self, host: str) -> float:
        """Seconds to wait before the next request to ``host`` (0 when the budget allows)."""
        state = self._states.get(host)
        if state is None or state.remaining is None or state.reset_at is None:
            return 0.0
        if state.remaining > self._reserve:
            return 0.0
        return max(0.0, state.reset_at - self._clock())

    async def wait(self, host: str, *, source: str = "") -> None:
        delay = self.delay(host)
        if delay <= 0:
            return
        if delay > self._max_wait:
            raise RateLimited(
                f"{source}: rate-limit budget for {host} spent; resets in {delay:.0f}s", delay
            )
        log.info("%s: pacing %.1fs for %s rate-limit reset", source, delay, host)
        await self._sleep(delay)
        # The budget is renewed at reset; the next response tells us the new state.
        self._states.pop(host, None)


def _float(value: str | None) -> float | None:
    if value is None or not value.strip():
        return None
    return float(value.strip())


def ratelimit_parser(
    prefix: str, *, reset: str = "epoch", clock: Callable[[], float] = time.time
) -> Callable[[Mapping[str, str]], RateLimitState | None]:
    """Parser for ``<prefix>Remaining`` / ``<prefix>Reset`` headers.

    ``reset`` says how the platform writes the reset: ``"epoch"`` (seconds since 1970, Bluesky),
    ``"iso"`` (ISO-8601 time, Mastodon) or ``"delta"`` (seconds from now, Reddit).
    """
    if reset not in ("epoch", "iso", "delta"):
        raise ValueError(f"reset must be 'epoch', 'iso' or 'delta', not {reset!r}")

    def parse(headers: Mapping[str, str]) -> RateLimitState | None:
        if not isinstance(headers, CIMultiDictProxy | CIMultiDict):
            headers = CIMultiDict(headers)
        remaining = _float(headers.get(prefix + "Remaining"))
        raw_reset = headers.get(prefix + "Reset")
        if remaining is None and raw_reset is None:
            return None
        reset_at: float | None = None
        if raw_reset is not None and raw_reset.strip():
            if reset == "iso":
                reset_at = parse_iso8601_utc(raw_reset.strip(), what="rate-limit reset").timestamp()
            elif reset == "delta":
                reset_at = clock() + float(raw_reset)
            else:
                reset_at = float(raw_reset)
        return RateLimitState(remaining=remaining, reset_at=reset_at)

    return parse


def parse_retry_after(value: str | None, *, clock: Callable[[], float] = time.time) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date. None when unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0.0, when.timestamp() - clock())


# --------------------------------------------------------------------------- request


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return url


def _ok_default(status: int) -> bool:
    return 200 <= status < 300 or status == 304


async def request(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    source: str,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    data: Any = None,
    retry: RetryPolicy = RetryPolicy(),  # frozen, so sharing the default is safe
    pacer: Pacer | None = None,
    retry_after: Callable[[Response], float | None] | None = None,
    secrets: Sequence[str] = (),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ok: Callable[[int], bool] = _ok_default,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
) -> Response:
    """One logical request: paced, retried on transient failure, classified. See module doc."""
    host = _host(url)
    shown = redact_url(url, secrets)
    kwargs: dict[str, Any] = {}
    if params is not None:
        kwargs["params"] = params
    if headers is not None:
        kwargs["headers"] = headers
    if json_body is not None:
        kwargs["json"] = json_body
    if data is not None:
        kwargs["data"] = data

    last: str = ""
    for attempt in range(1, retry.max_attempts + 1):
        if pacer is not None:
            await pacer.wait(host, source=source)
        try:
            async with session.request(method, url, **kwargs) as resp:
                body = await resp.read()
                response = Response(
                    status=resp.status,
                    headers=CIMultiDictProxy(CIMultiDict(resp.headers)),
                    body=body,
                    url=redact_url(str(resp.url), secrets),
                    source=source,
                )
        except (TimeoutError, aiohttp.ClientError) as err:
            reason = redact(f"{type(err).__name__}: {err}".rstrip(": "), secrets)
            reason = redact_url(reason, secrets) if "://" in reason else reason
            last = reason
            if attempt >= retry.max_attempts:
                raise SourceUnavailable(
                    f"{source}: {method} {shown} failed after {attempt} attempts ({reason})"
                ) from err
            delay = retry.backoff(attempt, rng)
            log.debug("%s: %s, retrying in %.2fs", source, reason, delay)
            await sleep(delay)
            continue

        if pacer is not None:
            pacer.observe(host, response.headers)
        status = response.status
        if ok(status):
            return response
        if status == 429:
            wait = retry_after(response) if retry_after is not None else None
            if wait is None:
                wait = parse_retry_after(response.headers.get("Retry-After"), clock=clock)
            if wait is None:
                wait = DEFAULT_RETRY_AFTER
            raise RateLimited(
                f"{source}: rate limited by {host} (HTTP 429); retry after {wait:.0f}s", wait
            )
        if status >= 500:
            last = f"HTTP {status}"
            if attempt >= retry.max_attempts:
                break
            delay = retry.backoff(attempt, rng)
            log.debug("%s: HTTP %d from %s, retrying in %.2fs", source, status, shown, delay)
            await sleep(delay)
            continue
        detail = excerpt(response.body, secrets)
        if status in (401, 403):
            raise AuthFailed(
                f"{source}: {host} refused access (HTTP {status}) to {response.url}: {detail}"
            )
        if status in (404, 410):
            raise PermanentError(
                f"{source}: {response.url} not found (HTTP {status}); check the source's target"
                f" and base URL: {detail}"
            )
        raise PermanentError(f"{source}: HTTP {status} from {response.url}: {detail}")
    raise SourceUnavailable(
        f"{source}: {method} {shown} failed after {retry.max_attempts} attempts ({last})"
    )


# --------------------------------------------------------------------------- parsing helpers

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)


def parse_link_header(value: str | None) -> dict[str, str]:
    """RFC 8288 ``Link`` header → ``{rel: url}`` (first URL wins for a repeated rel)."""
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _LINK.finditer(value):
        url, params = match.group(1).strip(), match.group(2)
        rel = _REL.search(params)
        if not rel:
            continue
        for name in (rel.group(1) or rel.group(2) or "").split():
            links.setdefault(name.lower(), url)
    return links


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date (RFC 9110 IMF-fixdate and the obsolete forms) as aware UTC, or None."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def parse_iso8601_utc(value: object, *, source: str = "", what: str = "timestamp") -> datetime:
    """An ISO-8601 time with an offset (or ``Z``) as aware UTC; anything else is malformed.

    A time without an offset is refused rather than guessed: evidence timestamps must not shift.
    """
    where = f"{source}: " if source else ""
    if not isinstance(value, str) or not value.strip():
        raise MalformedResponse(f"{where}{what} is missing or not a string: {value!r:.60}")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as err:
        raise MalformedResponse(f"{where}{what} is not ISO-8601: {value!r:.60}") from err
    if when.tzinfo is None:
        raise MalformedResponse(f"{where}{what} has no timezone: {value!r:.60}")
    return when.astimezone(UTC)


def epoch_utc(value: object, *, source: str = "", what: str = "timestamp") -> datetime:
    """Seconds since 1970 (int, float or numeric string) as aware UTC."""
    where = f"{source}: " if source else ""
    if isinstance(value, bool):
        raise MalformedResponse(f"{where}{what} is not a number: {value!r}")
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError) as err:
        raise MalformedResponse(f"{where}{what} is not epoch seconds: {value!r:.60}") from err


def item_raw(item: Any) -> bytes:
    """The JSON item re-serialised deterministically (sorted keys, UTF-8) for ``Post.raw``.

    The platform's bytes for one item inside a page cannot be cut out reliably, so the item is
    re-serialised; ``Post.response`` keeps the page exactly as received.
    """
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def _id_key(value: str) -> tuple[int, int, str]:
    text = value.strip()
    if text.isdigit() and text.isascii():
        return (1, len(text.lstrip("0")), text.lstrip("0"))
    return (0, 0, text)


def is_newer(a: str | int | None, b: str | int | None) -> bool:
    """Whether id ``a`` sorts after id ``b`` (snowflake / numeric ids compared as numbers).

    ``None`` is older than everything. Non-numeric ids fall back to string order, which is what
    time-sortable ids (Bluesky TIDs, ULIDs) need.
    """
    if a is None:
        return False
    if b is None:
        return True
    ka, kb = _id_key(str(a)), _id_key(str(b))
    if ka[0] != kb[0]:
        return ka[0] > kb[0]
    return ka > kb


def max_id(a: str | None, b: str | None) -> str | None:
    """The newer of two ids (either may be None)."""
    return a if is_newer(a, b) else b


# --------------------------------------------------------------------------- source health


class HealthLog:
    """Logs a source going down once, and its recovery once, instead of on every poll."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or log
        self._down: dict[str, tuple[float, str]] = {}

    def failure(self, source: str, err: BaseException, *, now: float | None = None) -> bool:
        """Record a failed poll; returns True when this is the transition to down."""
        message = str(err) or type(err).__name__
        if source in self._down:
            self._log.debug("%s still failing: %s", source, message)
            return False
        self._down[source] = (time.time() if now is None else now, message)
        self._log.warning("source %s is failing: %s", source, message)
        return True

    def success(self, source: str, *, now: float | None = None) -> bool:
        """Record a good poll; returns True when this is the recovery from down."""
        if source not in self._down:
            return False
        since, _ = self._down.pop(source)
        elapsed = (time.time() if now is None else now) - since
        self._log.info("source %s recovered after %.0fs", source, elapsed)
        return True

    def is_down(self, source: str) -> bool:
        return source in self._down

    def down(self) -> dict[str, str]:
        """Sources currently failing → the first error message."""
        return {name: msg for name, (_, msg) in self._down.items()}


# --------------------------------------------------------------------------- cursors


@dataclass(frozen=True, slots=True)
class Walk:
    """Where a walk down a newest-first listing stands; serialised as the source's cursor.

    The sweep stores the cursor after each page's posts are stored, so the high-water mark
    (``since``) only moves once a walk has reached it (or the end of the listing, or the first-run
    back-fill limit). Until then ``pending`` holds the newest key seen in the walk and ``page`` the
    platform's token for the next page down: a process that dies mid-walk resumes from ``page``,
    and the posts that arrived above meanwhile are still newer than ``since``, so none is lost.

    Keys are ids compared with ``is_newer`` (or timestamps in one fixed format). ``inclusive``
    keeps items equal to ``since`` for platforms whose keys can tie (timestamps): a duplicate is
    harmless, ingest is idempotent; a loss is not.
    """

    since: str | None = None
    pending: str | None = None
    page: str | None = None
    count: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, cursor: str | None, *, source: str) -> Walk:
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
        except ValueError as err:
            raise PermanentError(f"{source}: stored cursor is not JSON: {cursor[:80]!r}") from err
        if not isinstance(data, dict):
            raise PermanentError(f"{source}: stored cursor is not a JSON object: {cursor[:80]!r}")

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        count = data.get("count", 0)
        extra = data.get("extra", {})
        return cls(
            since=text("since"),
            pending=text("pending_high_water"),
            page=text("page"),
            count=count if isinstance(count, int) and count >= 0 else 0,
            extra=extra if isinstance(extra, dict) else {},
        )

    def dump(self) -> str:
        data: dict[str, Any] = {
            "since": self.since,
            "pending_high_water": self.pending,
            "page": self.page,
            "count": self.count,
        }
        if self.extra:
            data["extra"] = dict(self.extra)
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def wanted(self, key: str | None, *, inclusive: bool = False) -> bool:
        """Whether an item with this key is above the high-water mark (so not yet stored)."""
        if key is None:
            return True
        if self.since is None:
            return True
        return is_newer(key, self.since) or (inclusive and key == self.since)

    def advance(
        self,
        keys: Sequence[str | None],
        next_page: str | None,
        *,
        backfill_limit: int,
        inclusive: bool = False,
        stop_on_any_old: bool = True,
    ) -> tuple[Walk, list[bool]]:
        """The walk after this page, and which of the page's items to keep (same order).

        ``keys`` are the page's items' keys newest first (None for an item whose key could not
        be read: kept, never counted as reaching the mark). ``stop_on_any_old=False`` is for
        listings not strictly newest-first: the walk ends only on a page with nothing new.
        """
        keep = [self.wanted(k, inclusive=inclusive) for k in keys]
        if self.since is None and backfill_limit > 0:
            allowance = max(0, backfill_limit - self.count)
            for i, flag in enumerate(keep):
                if flag:
                    if allowance <= 0:
                        keep[i] = False
                    else:
                        allowance -= 1
        taken = sum(keep)
        pending = self.pending
        for key, flag in zip(keys, keep, strict=True):
            if flag and key is not None:
                pending = max_id(key, pending)
        count = self.count + taken
        old_seen = any(k is not None and not self.wanted(k, inclusive=inclusive) for k in keys)
        reached = old_seen if stop_on_any_old else (taken == 0)
        limit_hit = self.since is None and backfill_limit > 0 and count >= backfill_limit
        if next_page is None or not keys or reached or limit_hit:
            done = Walk(since=max_id(pending, self.since), extra=self.extra)
            return done, keep
        return Walk(self.since, pending, next_page, count, self.extra), keep
