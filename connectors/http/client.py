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
platform refuses us; how long to back off between retries is the ``RetryPolicy`` of
``connectors.base``. The other helpers every connector needs and should not re-implement live
beside this module: the parsers (dates, ids, Link headers, the raw item bytes) in
``connectors.http.parse``, the resumable cursor ``Walk`` in ``connectors.http.walk`` and
``HealthLog`` in ``connectors.http.health``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from connectors.base import (
    DEFAULT_RETRY,
    AuthFailed,
    MalformedResponse,
    PermanentError,
    RateLimited,
    RetryPolicy,
    SourceUnavailable,
)
from connectors.http.parse import parse_iso8601_utc, parse_retry_after

log = logging.getLogger(__name__)

DEFAULT_RETRY_AFTER = 60.0
EXCERPT_LEN = 200
# No platform page we read comes near this; a body that does is hostile or broken, and is
# refused before it can exhaust memory.
MAX_BODY = 32 * 1024 * 1024
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


# --------------------------------------------------------------------------- request


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return url


async def _read_capped(resp: aiohttp.ClientResponse, limit: int, source: str, shown: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            raise MalformedResponse(f"{source}: response from {shown} exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


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
    retry: RetryPolicy = DEFAULT_RETRY,
    pacer: Pacer | None = None,
    retry_after: Callable[[Response], float | None] | None = None,
    secrets: Sequence[str] = (),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ok: Callable[[int], bool] = _ok_default,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.time,
    max_body: int = MAX_BODY,
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
                body = await _read_capped(resp, max_body, source, shown)
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


def credentials_for_host(credentials: Mapping[str, str], base_url: str) -> Mapping[str, str]:
    """The credentials, or none when they name another ``host`` than ``base_url``'s.

    Credentials are configured per connector, while Mastodon and Discourse sources can point at
    any server; a ``host`` entry keeps an instance's token from being sent to every other one.
    """
    host = credentials.get("host", "").strip().lower()
    if not host:
        return credentials
    target = _host(base_url)
    if host in (target, target.split(":")[0]):
        return credentials
    log.debug("credentials are for %s, not %s: not sent", host, target)
    return {}
