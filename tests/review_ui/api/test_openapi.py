"""The bot API fuzzed from its own OpenAPI document (schemathesis): no input gives a 5xx.

The app runs on 127.0.0.1 in a thread with its own event loop, because schemathesis calls it
with a blocking HTTP client. Bounded: at most 25 examples per operation and mode."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiohttp import web

from monitor.accounts.moderators import create_token
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from review_ui.keys import INTAKE
from tests.support.fakes import FakeScorer
from tests.support.web import build_app

schemathesis = pytest.importorskip("schemathesis")
hypothesis = pytest.importorskip("hypothesis")

MAX_EXAMPLES = 25


@pytest.fixture
def served(settings: Settings, db: Database, fake_scorer: FakeScorer,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, web.Application]]:
    app = build_app(settings, db, fake_scorer)
    app[INTAKE].bucket.burst = 10_000.0  # the fuzzer is not what the rate limit is for
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    runner = web.AppRunner(app)

    async def start() -> str:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        return f"http://{host}:{port}"

    base = asyncio.run_coroutine_threadsafe(start(), loop).result(30)
    try:
        yield base, app
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def test_api_has_no_server_errors(served: tuple[str, web.Application], db: Database,
                                  mod_a: User) -> None:
    import requests
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable

    base, _ = served
    with db.write() as s:
        token = create_token(s, user=mod_a, name="fuzz").secret
    doc = requests.get(f"{base}/api/v1/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(doc)
    failures: list[str] = []
    skipped: list[str] = []
    seen: dict[int, int] = {}
    http = requests.Session()
    modes = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in modes:
            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck), derandomize=True)
            def run(case: Any) -> None:
                response = case.call(base_url=f"{base}/api/v1", session=http,
                                     headers={"Authorization": f"Bearer {token}"})
                seen[response.status_code] = seen.get(response.status_code, 0) + 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.path}: {response.status_code} "
                                    f"{case.body!r:.200}")

            try:
                run()
            except Unsatisfiable:
                # Nothing to break in an operation without parameters or body.
                assert mode is schemathesis.GenerationMode.NEGATIVE, operation.label
                skipped.append(operation.label)
    print("status codes seen:", dict(sorted(seen.items())))
    assert failures == []
    assert seen.get(201, 0) > 0 and seen.get(400, 0) > 0  # it reached both paths
    assert len(skipped) <= 2  # GET /reports and GET /openapi.json take no input
