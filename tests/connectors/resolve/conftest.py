"""A local aiohttp server playing every platform at once, for ``connectors.resolve`` tests.

Each test registers answers by path (``fake.on("/api/v1/statuses/1", body={...})``) and passes
``fake.url`` as ``api_base``; the reported URL itself still goes through the production host
rules. ``fake.requests`` records what was asked, so tests can assert nothing was fetched.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from monitor.config import Settings
from monitor.intake.canonical import platform_credentials

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def fixture_json(platform: str, name: str) -> Any:
    return json.loads((FIXTURES / platform / name).read_bytes())


def fixture_text(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text("utf-8")


@dataclass
class Answer:
    status: int = 200
    body: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    form: dict[str, str]


class FakePlatform:
    def __init__(self) -> None:
        self.answers: dict[str, Answer] = {}
        self.requests: list[Seen] = []
        self.url = ""

    def on(self, path: str, body: Any = None, *, status: int = 200, text: str | None = None,
           headers: dict[str, str] | None = None, content_type: str = "application/json",
           delay: float = 0.0) -> None:
        self.answers[path] = Answer(status, body, text, headers or {}, content_type, delay)

    def paths(self) -> list[str]:
        return [s.path for s in self.requests]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.requests.append(Seen(request.method, request.path, dict(request.query),
                                  dict(request.headers), form))
        answer = self.answers.get(request.path)
        if answer is None:
            return web.json_response({"error": "not found"}, status=404)
        if answer.delay:
            await asyncio.sleep(answer.delay)
        text = answer.text if answer.text is not None else (
            json.dumps(answer.body) if answer.body is not None else "")
        return web.Response(status=answer.status, text=text, headers=answer.headers,
                            content_type=answer.content_type)


@pytest.fixture
async def fake() -> AsyncIterator[FakePlatform]:
    platform = FakePlatform()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", platform.handle)
    server = TestServer(app)
    await server.start_server()
    platform.url = str(server.make_url("")).rstrip("/")
    yield platform
    await server.close()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def resolve_args(settings: Settings) -> dict[str, Any]:
    """What the desk hands ``fetch_post_by_url`` for ``settings`` (monitor.intake.canonical)."""
    return {"credentials": platform_credentials(settings),
            "user_agent": str(settings["http.user_agent"])}


def with_credentials(settings: Settings, **connectors: dict[str, str]) -> Settings:
    return Settings(settings.values, settings.path,
                    {**settings.extra, "connectors": dict(connectors)})


@pytest.fixture
def creds_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in ("CLIENT_ID", "CLIENT_SECRET", "USER_AGENT"):
        monkeypatch.delenv(f"HATE_MONITOR_REDDIT_{name}", raising=False)
    monkeypatch.delenv("HATE_MONITOR_YOUTUBE_API_KEY", raising=False)
    return with_credentials(
        settings,
        reddit={"client_id": "cid", "client_secret": "s3cret-value", "user_agent": "test:hm:1"},
        youtube={"api_key": "yt-key-123456"},
    )


Resolve = Callable[[str], Awaitable[list[str]]]


def resolver(*addresses: str) -> Resolve:
    async def resolve(host: str) -> list[str]:
        return list(addresses)

    return resolve
