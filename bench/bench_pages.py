"""p50/p95 latency of the review desk's main pages through the real app, logged in as an
officer, on a database filled by ``bench/generate.py``.

    python bench/bench_pages.py --url sqlite:////tmp/hm-1m.db [--runs 20] [--markdown]

The app is ``review_ui.app.create_app`` served on a local port by aiohttp's test server, so
the timings include routing, sessions, CSRF, the queries and template rendering (not the
network or TLS). Run ``generate.py`` first; this script only reads (plus the consultation audit
events and claims that opening an item writes, as in real use).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import text

from monitor import users
from monitor.config import load_settings
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.support import FakeScorer

USER = "bench-officer"
PASSWORD = "bench password not for real use"  # noqa: S105 (synthetic bench user)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_NEXT = re.compile(r'href="(/queue\?[^"]*after=[^"]+)"')
_ITEM = re.compile(r'href="/items/(\d+)')


def _ensure_officer(db: Database) -> None:
    with db.write() as s:
        if users.get_user(s, USER) is None:
            users.create_user(s, username=USER, role="officer", password=PASSWORD, actor="bench")


def _count(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(text("SELECT COALESCE(MAX(id), 0) FROM queue_items")).one()[0])  # type: ignore[call-overload]


def _source_id(db: Database) -> int:
    with db.read() as s:
        row = s.exec(text("SELECT MIN(id) FROM sources")).one()  # type: ignore[call-overload]
        return int(row[0] or 1)


async def _timed(http: ClientSession, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    async with http.get(url, allow_redirects=False) as r:
        body = await r.text()
        if r.status != 200:
            raise RuntimeError(f"GET {url} answered {r.status}: {body[:300]}")
    return (time.perf_counter() - started) * 1000, body


async def measure(url: str, runs: int) -> tuple[int, dict[str, list[float]]]:
    db = Database(url)
    db.upgrade()
    _ensure_officer(db)
    settings = load_settings(None, env={}).with_overrides(
        database__url=url, examples__load_on_first_run=False)
    app = create_app(settings, db=db, scorer=FakeScorer())
    server = TestServer(app)
    await server.start_server()
    out: dict[str, list[float]] = {}
    try:
        async with ClientSession(base_url=str(server.make_url("")),
                                 cookie_jar=CookieJar(unsafe=True)) as http:
            async with http.get("/login") as r:
                m = _CSRF.search(await r.text())
                assert m, "login page has no CSRF token"
            async with http.post("/login", data={"username": USER, "password": PASSWORD,
                                                 "csrf_token": m.group(1)},
                                 allow_redirects=False) as r:
                if r.status != 303:
                    raise RuntimeError(f"login failed: {r.status}")
            _, first = await _timed(http, "/queue")
            nxt = _NEXT.search(first)
            items = [int(i) for i in _ITEM.findall(first)][:runs] or [1]
            pages: dict[str, str] = {
                "queue (open, first page)": "/queue",
                "queue page 2 (keyset)": nxt.group(1).replace("&amp;", "&") if nxt else "/queue",
                "queue severity=threat": "/queue?severity=threat",
                "queue strand=religion": "/queue?strand=religion",
                "queue platform+min_score": "/queue?platform=reddit&min_score=0.6",
                f"queue source={_source_id(db)}": f"/queue?source={_source_id(db)}",
                "queue status=all": "/queue?status=all",
                "queue since/until": "/queue?since=2026-01-01&until=2026-06-30",
            }
            for name, path in pages.items():
                await _timed(http, path)  # warm caches once
                out[name] = [(await _timed(http, path))[0] for _ in range(runs)]
            out["item page"] = [(await _timed(http, f"/items/{items[k % len(items)]}"))[0]
                                for k in range(runs)]
    finally:
        await server.close()
        n = _count(db)
        db.dispose()
    return n, out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def table(backend: str, n: int, results: dict[str, Any]) -> str:
    lines = [f"| {backend}, {n:,} items | p50 ms | p95 ms |", "|---|---:|---:|"]
    for name, vals in results.items():
        lines.append(f"| {name} | {statistics.median(vals):.1f} | {pct(vals, 0.95):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    n, results = asyncio.run(measure(args.url, args.runs))
    backend = "PostgreSQL" if args.url.startswith("postgres") else "SQLite"
    print(table(backend, n, results))


if __name__ == "__main__":
    main()
