"""Shared harness for connector tests: a local aiohttp server that plays a platform.

Every connector test talks HTTP to a real local server, so the real transport, the real status
handling of ``connectors.http`` and the real parsers run; only the platform is fake.

    async def test_pages(fake_platform, http_session):
        platform = await fake_platform()
        platform.on("/api/v1/timelines/tag/x", Reply(body=[...], headers={"Link": "..."}))
        platform.script("/api/v1/timelines/tag/x", Reply(status=503))   # served first, once
        ...use platform.url as the source's base_url...
        assert platform.paths() == [...]

``Reply`` can also hang (for client timeouts, with ``timeout_session``) or cut the body short
mid-transfer (``truncate=True``). Handlers may be async callables taking the ``web.Request``
and returning a ``Reply`` (to branch on query parameters, e.g. pagination).

``FakeClock`` + ``FakeSleep`` drive time explicitly: nothing in these tests sleeps for real.
``collect_pages`` runs a connector (optionally stopping after N pages, as a crash would) and
``last_cursor`` gives the cursor the sweep would have stored. ``fixture_bytes`` reads this repo's
fixtures; ``shared_fixture`` / ``shared_headers`` read ../shared/fixtures or skip saying why.
``hostile_text`` (a hypothesis strategy) and ``assert_readable`` serve normaliser properties.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from multidict import MultiDict

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"


# --------------------------------------------------------------------------- fixture files


def fixture_bytes(platform: str, name: str) -> bytes:
    """A fixture written for this repo (tests/fixtures/<platform>/<name>)."""
    return (FIXTURES / platform / name).read_bytes()


def fixture_json(platform: str, name: str) -> Any:
    return json.loads(fixture_bytes(platform, name))


def shared_fixture(platform: str, name: str) -> Path:
    """A recorded real response under ../shared/fixtures, or skip saying why it is missing."""
    path = SHARED_FIXTURES / platform / name
    if not path.exists():
        pytest.skip(
            f"recorded fixture {path} not present (../shared/fixtures is only beside CI and "
            "developer checkouts)"
        )
    return path


def shared_headers(platform: str, name: str) -> dict[str, str]:
    """Response headers recorded beside a shared fixture (``<stem>.meta.json``), if any."""
    stem = name.rsplit(".", 1)[0]
    meta = SHARED_FIXTURES / platform / f"{stem}.meta.json"
    if not meta.exists():
        return {}
    headers: dict[str, str] = json.loads(meta.read_text())["response"]["headers"]
    return headers


# --------------------------------------------------------------------------- time


class FakeClock:
    """Epoch seconds that move only when told to (or when FakeSleep sleeps)."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSleep:
    """Records requested sleeps and advances the clock instead of waiting."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)
        await asyncio.sleep(0)

    @property
    def total(self) -> float:
        return sum(self.calls)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake_sleep(clock: FakeClock) -> FakeSleep:
    return FakeSleep(clock)


# --------------------------------------------------------------------------- fake platform


@dataclass
class Reply:
    """One scripted answer. ``body`` that is not bytes/str is sent as JSON."""

    status: int = 200
    body: Any = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    hang: bool = False
    truncate: bool = False
    content_type: str | None = None

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")

    def kind(self) -> str:
        if self.content_type:
            return self.content_type
        return "text/plain" if isinstance(self.body, str) else "application/json"


@dataclass(frozen=True)
class Seen:
    """A request the fake platform received."""

    method: str
    path: str
    query: MultiDict[str]
    headers: Mapping[str, str]
    body: bytes


Handler = Callable[[web.Request], Awaitable[Reply]]


class FakePlatform:
    """A catch-all aiohttp app: scripted replies first, then per-path handlers, else 404."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self.requests: list[Seen] = []
        self.url = ""
        self._handlers: dict[tuple[str, str], Handler | Reply] = {}
        self._scripts: dict[tuple[str, str], deque[Reply]] = {}
        self._release = asyncio.Event()

    def on(self, path: str, reply: Handler | Reply, *, method: str = "GET") -> None:
        """Answer every ``method path`` request with ``reply`` (or what the handler returns)."""
        self._handlers[(method.upper(), path)] = reply

    def script(self, path: str, *replies: Reply, method: str = "GET") -> None:
        """Answer the next requests to ``path`` with these replies, in order, before ``on``."""
        self._scripts.setdefault((method.upper(), path), deque()).extend(replies)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def release(self) -> None:
        self._release.set()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        self.requests.append(
            Seen(
                request.method, request.path, MultiDict(request.query), dict(request.headers), body
            )
        )
        key = (request.method, request.path)
        script = self._scripts.get(key)
        reply: Reply
        if script:
            reply = script.popleft()
        elif key in self._handlers:
            handler = self._handlers[key]
            reply = handler if isinstance(handler, Reply) else await handler(request)
        else:
            reply = Reply(status=404, body={"error": f"no fake route for {request.path}"})
        return await self._send(request, reply)

    async def _send(self, request: web.Request, reply: Reply) -> web.StreamResponse:
        if reply.hang:
            # Held until the client gives up (its timeout) or the test ends.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._release.wait(), timeout=5)
            return web.Response(status=504)
        payload = reply.payload()
        if reply.truncate:
            resp = web.StreamResponse(status=reply.status, headers=dict(reply.headers))
            resp.content_type = reply.kind()
            resp.content_length = len(payload)
            await resp.prepare(request)
            await resp.write(payload[: max(1, len(payload) // 2)])
            # Drop the connection mid-body: the client sees fewer bytes than announced.
            if request.transport is not None:
                request.transport.close()
            return resp
        headers = dict(reply.headers)
        headers.setdefault("Content-Type", reply.kind())
        return web.Response(status=reply.status, body=payload, headers=headers)


@pytest.fixture
async def fake_platform(
    aiohttp_server: Any,
) -> AsyncIterator[Callable[[], Awaitable[FakePlatform]]]:
    made: list[FakePlatform] = []

    async def make() -> FakePlatform:
        platform = FakePlatform()
        server = await aiohttp_server(platform.app)
        platform.url = str(server.make_url("")).rstrip("/")
        made.append(platform)
        return platform

    yield make
    for platform in made:
        platform.release()


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


@pytest.fixture
async def timeout_session() -> AsyncIterator[aiohttp.ClientSession]:
    """A session that gives up quickly, for hanging-server tests."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as session:
        yield session


# --------------------------------------------------------------------------- running connectors


async def collect_pages(
    connector: Any,
    session: aiohttp.ClientSession,
    source: Any,
    cursor: str | None = None,
    *,
    backfill_limit: int = 100,
    max_pages: int | None = None,
) -> list[Any]:
    """All pages a connector yields (or the first ``max_pages``: a crash after that page)."""
    pages: list[Any] = []
    stream = connector.pages(session, source, cursor, backfill_limit=backfill_limit)
    async with contextlib.aclosing(stream) as walk:
        async for page in walk:
            pages.append(page)
            if max_pages is not None and len(pages) >= max_pages:
                break
    return pages


def last_cursor(pages: list[Any], default: str | None = None) -> str | None:
    """The cursor the sweep would have stored after the last of these pages."""
    return pages[-1].cursor if pages else default


# --------------------------------------------------------------------------- hostile text

HOSTILE_FRAGMENTS = (
    "<script>alert('x')</script>",
    "<style>p{display:none}</style>",
    "<img src=x onerror=alert(1)>",
    "<iframe src='https://evil.example'></iframe>",
    "\u202e",  # right-to-left override
    "\u202d",
    "\u2066",
    "\u200f",  # right-to-left mark
    "\u200b",  # zero-width space
    "\u200c",
    "\u2060",
    "\ufeff",
    "\u00ad",
    "\x00",
    "\x1b[31m",
    "&lt;b&gt;",
    "&#x202e;",
    "<p>",
    "</p>",
    "<br>",
    "\r\n",
    "ﷺ",
    "مرحبا",
    "👩\u200d👩\u200d👧",
    "]]>",
    '"},{"',
)


def hostile_text(max_fragments: int = 12) -> Any:
    """A hypothesis strategy: text salted with markup, bidi controls and invisible characters."""
    from hypothesis import strategies as st

    piece = st.one_of(st.sampled_from(HOSTILE_FRAGMENTS), st.text(max_size=12))
    return st.lists(piece, max_size=max_fragments).map("".join)


def assert_readable(text: str) -> None:
    """What the officer reads has no invisible or control characters (bar newline and ZWJ).

    Whether markup such as ``<script>`` survives as *text* is not checked here: by the HTML
    parsing rules a browser shows ``<?<script>alert(1)</script>`` as the text ``alert(1)``, and
    so do we; script elements being dropped is pinned by fixture tests instead.
    """
    import unicodedata

    for ch in text:
        if ch in "\n\u200d":
            continue
        assert unicodedata.category(ch) not in ("Cf", "Cc"), f"invisible {ch!r} kept in {text!r}"
