"""p50/p95 latency of the review desk's main pages through the real app, logged in as an
officer, on a database filled by ``bench/generate.py``.

    python bench/bench_pages.py --url sqlite:////tmp/hm-1m.db [--runs 20] [--only stats]
    python bench/bench_pages.py --url sqlite:////tmp/hm-1m.db --seed-decisions --only stats

The app is ``review_ui.app.create_app`` served on a local port by aiohttp's test server, so
the timings include routing, sessions, CSRF, the queries and template rendering (not the
network or TLS). Run ``generate.py`` first; this script only reads (plus the consultation audit
events and claims that opening an item writes, as in real use). ``--seed-decisions`` first
gives every decided or escalated item one synthetic decision (the generator writes none) and
adds a case per 1,000 items, so the statistics page has decisions and cases to count.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import text

from monitor.accounts import users
from monitor.audit import chain as audit
from monitor.config import load_settings
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.support.fakes import FakeScorer

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


def seed_decisions(db: Database) -> int:
    """One decision per decided or escalated item that has none, with one set-based INSERT
    (a million ORM objects would take longer than the benchmark); returns how many it added."""
    with db.read() as s:
        officer = users.get_user(s, USER)
        assert officer is not None and officer.id is not None
        uid = officer.id
    # JSON columns: PostgreSQL wants a json value, SQLite stores the text as it is.
    js = "CAST({} AS JSON)" if db.dialect == "postgresql" else "{}"
    strands = js.format("CASE WHEN q.top_strand IS NULL THEN '[]' "
                        "ELSE '[\"' || q.top_strand || '\"]' END")
    empty = js.format("'[]'")
    outcome = ("CASE q.severity WHEN 'threat' THEN 'possible_crime' WHEN 'none' THEN 'not_hate' "
               "ELSE 'hate_intelligence' END")
    with db.write() as s:
        before = int(s.exec(text("SELECT COUNT(*) FROM decisions")).one()[0])  # type: ignore[call-overload]
        s.exec(text(  # type: ignore[call-overload]
            "INSERT INTO decisions (queue_item_id, capture_id, user_id, outcome, strands, "
            "offences, rationale, p_hate_at_decision, created_at) "
            f"SELECT q.id, q.capture_id, {uid}, {outcome}, {strands}, {empty}, "
            "'synthetic benchmark decision', q.p_hate, q.decided_at FROM queue_items q "
            "WHERE q.status <> 'open' AND q.decided_at IS NOT NULL AND NOT EXISTS "
            "(SELECT 1 FROM decisions d WHERE d.queue_item_id = q.id)"))
        s.exec(text(  # type: ignore[call-overload]
            "INSERT INTO cases (reference, title, status, created_by, strands, offences, "
            "cyber_enabled, created_at, updated_at) "
            "SELECT 'BENCH-' || CAST(q.id AS VARCHAR(20)), 'synthetic benchmark case', "
            f"'open', {uid}, {strands}, {empty}, "
            f"{'TRUE' if db.dialect == 'postgresql' else '1'}, q.decided_at, q.decided_at "
            "FROM queue_items q WHERE q.status = 'escalated' AND q.decided_at IS NOT NULL "
            "AND q.id % 50 = 0 AND NOT EXISTS "
            "(SELECT 1 FROM cases c WHERE c.reference = 'BENCH-' || CAST(q.id AS VARCHAR(20)))"))
        added = int(s.exec(text("SELECT COUNT(*) FROM decisions")).one()[0]) - before  # type: ignore[call-overload]
        audit.record(s, actor="bench", action="decide", object_type="decision",
                     reason="synthetic benchmark decisions", details={"decisions": added})
        s.exec(text("ANALYZE"))  # type: ignore[call-overload]
    return added


async def _timed(http: ClientSession, url: str) -> tuple[float, str]:
    started = time.perf_counter()
    async with http.get(url, allow_redirects=False) as r:
        body = await r.text()
        if r.status != 200:
            raise RuntimeError(f"GET {url} answered {r.status}: {body[:300]}")
    return (time.perf_counter() - started) * 1000, body


STATS_PAGES: dict[str, str] = {
    "statistics (default: last 12 weeks)": "/stats",
    "statistics CSV (default: last 12 weeks)": "/stats.csv",
    "statistics, one year": "/stats?since={year_ago}",
    "statistics, all time": "/stats?since=",
}


async def measure(url: str, runs: int, *, only: str = "",
                  seed: bool = False) -> tuple[int, dict[str, list[float]]]:
    db = Database(url)
    db.upgrade()
    _ensure_officer(db)
    if seed:
        print(f"seeded {seed_decisions(db):,} synthetic decisions", file=sys.stderr)
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
            year_ago = (datetime.now(UTC) - timedelta(days=365)).date().isoformat()
            pages.update({k: v.format(year_ago=year_ago) for k, v in STATS_PAGES.items()})
            for name, path in pages.items():
                if only and only not in name:
                    continue
                await _timed(http, path)  # warm caches once
                out[name] = [(await _timed(http, path))[0] for _ in range(runs)]
            if not only or only in "item page":
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
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--seed-decisions", action="store_true",
                        help="first add a synthetic decision to every decided item without one")
    args = parser.parse_args()
    n, results = asyncio.run(measure(args.url, args.runs, only=args.only,
                                     seed=args.seed_decisions))
    backend = "PostgreSQL" if args.url.startswith("postgres") else "SQLite"
    print(table(backend, n, results))


if __name__ == "__main__":
    main()
