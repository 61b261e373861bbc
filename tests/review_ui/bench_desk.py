"""Desk latency on a large queue (not collected by pytest).

    python -m tests.review_ui.bench_desk [N_ITEMS]

Fills a temporary SQLite database with N posts (default 20000; 1500 distinct texts, so the
near-duplicate grouping has work to do), then times the queue page (first and a deep keyset
page), the item page and one next → open → dismiss cycle through the real app.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from monitor.accounts import users
from monitor.config import load_settings
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.support.fakes import FakeScorer, make_post

TEXTS = ["immigrants are scum", "hello world", "kill the vermin muslims", "gay filth", "nice day"]
PASSWORD = "bench-password-long"
CSRF = re.compile(r'csrf-token" content="([^"]+)')


def fill(db: Database, n: int) -> None:
    scorer = FakeScorer()
    posts = [make_post(i, f"{TEXTS[i % 5]} {i % 1500}", author=f"a{i % 300}@x")
             for i in range(n)]
    for k in range(0, n, 2000):
        process_posts_sync(db, scorer, posts[k:k + 2000], weights=PriorityWeights(),
                           origin="import", actor="bench")
    with db.write() as s:
        users.create_user(s, username="officer", role="officer", password=PASSWORD,
                          actor="bench")


async def timed(label: str, fn: Callable[[], Awaitable[Any]], n: int = 10) -> None:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"{label:<40} median {times[len(times) // 2] * 1000:6.1f} ms")


async def run(db: Database, url: str) -> None:
    settings = load_settings(None, env={}).with_overrides(database__url=url)
    async with TestClient(TestServer(create_app(settings, db=db, scorer=FakeScorer()))) as c:
        m = CSRF.search(await (await c.get("/login")).text())
        assert m
        await c.post("/login", data={"username": "officer", "password": PASSWORD,
                                     "csrf_token": m.group(1)})
        m = CSRF.search(await (await c.get("/account")).text())
        assert m
        token = m.group(1)
        await timed("GET /queue (first page)", lambda: c.get("/queue"))
        url_ = "/queue"
        for _ in range(20):
            html = await (await c.get(url_)).text()
            more = re.search(r'href="(/queue\?[^"]*after=[^"]+)" id="more"', html)
            if not more:
                break
            url_ = more.group(1).replace("&amp;", "&")
        await timed("GET /queue (page 21, keyset)", lambda: c.get(url_))
        await timed("GET /queue?strand=religion", lambda: c.get("/queue?strand=religion"))
        await timed("GET /items/{id}", lambda: c.get("/items/5"))

        async def cycle() -> None:
            r = await c.get("/next", allow_redirects=False)
            location = r.headers["Location"]
            item = location.split("/")[2].split("?")[0]
            await c.get(location)
            r = await c.post(f"/items/{item}/decide",
                             data={"csrf_token": token, "outcome": "not_hate"},
                             allow_redirects=False)
            assert r.status == 303, r.status

        await timed("next + open + dismiss", cycle, n=20)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        db = Database(url)
        db.upgrade()
        start = time.perf_counter()
        fill(db, n)
        print(f"filled {n} items in {time.perf_counter() - start:.1f}s")
        asyncio.run(run(db, url))
        db.dispose()


if __name__ == "__main__":
    main()
