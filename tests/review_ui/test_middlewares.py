"""Request ids on every response and in structured JSON logs."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from monitor.config import Settings
from monitor.logging_setup import configure_logging, request_id_var
from monitor.storage.db import Database
from review_ui.app import create_app
from review_ui.middlewares import request_id
from tests.support.fakes import FakeScorer

Client = TestClient[Any, Any]


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    configure_logging(json=True, stream=stream)
    yield stream
    for h in list(root.handlers):
        root.removeHandler(h)
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


async def _client(aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings,
                  db: Database) -> Client:
    app = create_app(settings, db=db, scorer=FakeScorer())
    app.middlewares.insert(0, request_id)  # where create_app will list it (outermost)
    return await aiohttp_client(app)


async def test_fresh_id_header_and_access_line(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    log_stream: io.StringIO,
) -> None:
    client = await _client(aiohttp_client, settings, db)
    r = await client.get("/healthz?secret=search-terms")
    rid = r.headers["X-Request-Id"]
    assert len(rid) == 32
    access = [e for e in _lines(log_stream) if e["logger"] == "hate_monitor.access"]
    assert access[-1]["request_id"] == rid
    assert access[-1]["path"] == "/healthz" and access[-1]["status"] == r.status
    assert "search-terms" not in log_stream.getvalue()  # query strings are never logged
    assert isinstance(access[-1]["duration_ms"], float)


async def test_proxy_id_is_kept_and_bad_one_replaced(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    log_stream: io.StringIO,
) -> None:
    client = await _client(aiohttp_client, settings, db)
    r = await client.get("/login", headers={"X-Request-Id": "nginx-abc123def"})
    assert r.headers["X-Request-Id"] == "nginx-abc123def"
    r = await client.get("/login", headers={"X-Request-Id": "bad id with spaces"})
    assert r.headers["X-Request-Id"] != "bad id with spaces"
    assert len(r.headers["X-Request-Id"]) == 32


async def test_redirects_carry_the_id(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    log_stream: io.StringIO,
) -> None:
    client = await _client(aiohttp_client, settings, db)
    r = await client.get("/queue", allow_redirects=False)  # anonymous: to the login page
    assert r.status in (302, 303) and r.headers["X-Request-Id"]


def test_json_formatter_fields_and_exceptions(log_stream: io.StringIO) -> None:
    token = request_id_var.set("req-12345678")
    try:
        logging.getLogger("hate_monitor.test").warning("hello %s", "world", extra={"n": 3})
        try:
            raise ValueError("boom")
        except ValueError:
            logging.getLogger("hate_monitor.test").exception("failed")
    finally:
        request_id_var.reset(token)
    first, second = _lines(log_stream)[-2:]
    assert first["message"] == "hello world" and first["n"] == 3
    assert first["request_id"] == "req-12345678" and first["level"] == "WARNING"
    assert first["time"].endswith("+00:00")
    assert "ValueError: boom" in second["exception"]


def test_plain_format_for_terminals() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers)
    try:
        configure_logging(json=False, stream=stream)
        logging.getLogger("x").info("plain line")
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved:
            root.addHandler(h)
    assert "INFO x [None] plain line" in stream.getvalue()
