"""Generate a large synthetic review queue: N captures, their scores and queue items.

    python bench/generate.py --url sqlite:////tmp/hm-1m.db --items 1000000
    python bench/generate.py --url postgresql://postgres@127.0.0.1/hm_bench --items 1000000

Every text says it is synthetic (no real post, no real person). Rows go in with bulk inserts
that bypass the ORM: ``COPY`` on PostgreSQL, ``executemany`` in 50k-row transactions on
SQLite. One audit event records the load, so the audit chain stays valid. The distribution
roughly follows a busy installation: half the items open, 5 % scored as hateful, one in ten in
a near-duplicate group of five, seven platforms and twenty sources.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source

PLATFORMS = ("mastodon", "bluesky", "reddit", "lemmy", "rss", "youtube", "telegram")
STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
CHUNK = 50_000
MODEL = "bench-synthetic-1"

CAPTURE_COLS = ("id", "platform", "post_id", "version", "content_sha256", "url",
                "author_handle", "author_id", "created_at", "captured_at", "text", "language",
                "thread_id", "parent_id", "raw", "raw_content_type", "raw_sha256",
                "payload_sha256", "tool_version", "origin", "source_id", "review_date")
SCORE_COLS = ("id", "capture_id", "model_version", "role", "p_hate", "strands", "severity",
              "language", "language_supported", "explanation", "created_at")
QUEUE_COLS = ("id", "platform", "post_id", "capture_id", "score_id", "source_id", "status",
              "priority", "p_hate", "severity", "top_strand", "language_supported",
              "author_handle", "text_sha256", "assignee_id", "claimed_until", "created_at",
              "updated_at", "decided_at", "review_date")


def _ensure_sources(db: Database, n: int = 20) -> list[int]:
    with db.write() as s:
        have = {src.name: src.id for src in s.exec(text("SELECT name, id FROM sources"))}  # type: ignore[call-overload]
        for i in range(n):
            name = f"bench-source-{i:02d}"
            if name not in have:
                s.add(Source(name=name, connector=PLATFORMS[i % len(PLATFORMS)],
                             target=f"synthetic-target-{i}", enabled=False,
                             basis_reference="BENCHMARK-ONLY"))
        s.flush()
        rows = s.exec(text("SELECT id FROM sources WHERE name LIKE 'bench-source-%' ORDER BY id"))  # type: ignore[call-overload]
        return [int(r[0]) for r in rows]


def _next_id(db: Database, table: str) -> int:
    with db.read() as s:
        return int(s.exec(text(f"SELECT COALESCE(MAX(id), 0) FROM {table}")).one()[0]) + 1  # type: ignore[call-overload]


def _rows(start: int, count: int, sources: list[int], now: datetime,
          seed: int) -> Iterator[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]]:
    """(capture, score, queue item) rows with Python values; ids are assigned here so the three
    tables can reference each other without a round trip."""
    rnd = random.Random(seed)
    review = (now + timedelta(days=30)).date()
    for k in range(count):
        i = start + k
        platform = PLATFORMS[i % len(PLATFORMS)]
        hateful = rnd.random() < 0.05
        group = i // 5 if i % 10 == 0 else None  # near-duplicate groups
        body = (f"SYNTHETIC BENCHMARK TEXT {group if group is not None else i}: placeholder "
                f"{'hostile wording aimed at group ' + str(i % 5) if hateful else 'everyday chat'}")
        author = f"bench-author-{rnd.randrange(20000)}"
        created = now - timedelta(minutes=rnd.randrange(60 * 24 * 365))
        captured = created + timedelta(minutes=rnd.randrange(1, 240))
        raw = json.dumps({"synthetic": True, "n": i}).encode()
        sha = hashlib.sha256(raw).hexdigest()
        p = round(rnd.uniform(0.55, 0.99) if hateful else rnd.uniform(0.0, 0.5), 4)
        severity = (rnd.choice(("threat", "dehumanisation", "derogation")) if hateful
                    else "none")
        strand = STRANDS[i % 5] if hateful else None
        prio = round(0.6 * p + (0.3 if severity == "threat" else 0.1 if hateful else 0.0)
                     + 0.1 * rnd.random() + (1.0 if severity == "threat" else 0.0), 6)
        roll = rnd.random()
        status = "open" if roll < 0.5 else "decided" if roll < 0.95 else "escalated"
        source = sources[i % len(sources)] if sources else None
        fingerprint = hashlib.sha256(body.casefold().encode()).hexdigest() if group else None
        capture = (i, platform, f"bench-{i}", 1, sha, f"https://synthetic.invalid/{platform}/{i}",
                   author, f"id-{author}", created, captured, body, "en", None, None, raw,
                   "application/json", sha, None, "bench", "import", source, review)
        strands = {s: (0.9 if s == strand else 0.02) for s in STRANDS}
        score = (i, i, MODEL, "live", p, strands, severity, "en", True,
                 {"summary": "synthetic benchmark score"}, captured)
        item = (i, platform, f"bench-{i}", i, i, source, status, prio, p, severity, strand, True,
                author, fingerprint, None, None, captured, captured,
                captured + timedelta(hours=2) if status != "open" else None, review)
        yield capture, score, item


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(v, dict):
        return json.dumps(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def _insert_sqlite(db: Database, batches: list[tuple[str, tuple[str, ...], list[Any]]]) -> None:
    raw = db.writer.raw_connection()
    try:
        cur = raw.cursor()
        # Synthetic data only: skip the fsync per commit, and give SQLite a 256 MB page cache,
        # since the random keys (hashes, authors) touch index pages all over the file.
        cur.execute("PRAGMA synchronous=OFF")
        cur.execute("PRAGMA cache_size=-262144")
        cur.execute("BEGIN IMMEDIATE")
        for table, cols, rows in batches:
            marks = ",".join("?" * len(cols))
            cur.executemany(f"INSERT INTO {table} ({','.join(cols)}) VALUES ({marks})",
                            [tuple(_sqlite_value(v) for v in r) for r in rows])
        cur.execute("COMMIT")
    finally:
        raw.close()


def _pg_value(v: Any) -> Any:
    return json.dumps(v) if isinstance(v, dict) else v


def _insert_pg(db: Database, batches: list[tuple[str, tuple[str, ...], list[Any]]]) -> None:
    raw = db.writer.raw_connection()
    try:
        conn: Any = raw.driver_connection
        with conn.cursor() as cur:
            for table, cols, rows in batches:
                with cur.copy(f"COPY {table} ({','.join(cols)}) FROM STDIN") as copy:
                    for r in rows:
                        copy.write_row(tuple(_pg_value(v) for v in r))
        conn.commit()
    finally:
        raw.close()


def generate(db: Database, items: int, *, seed: int = 7, quiet: bool = False) -> float:
    """Append ``items`` synthetic items; returns the seconds it took."""
    started = time.perf_counter()
    sources = _ensure_sources(db)
    start = max(_next_id(db, t) for t in ("captures", "scores", "queue_items"))
    now = datetime.now(UTC)
    insert = _insert_pg if db.dialect == "postgresql" else _insert_sqlite
    done = 0
    while done < items:
        n = min(CHUNK, items - done)
        caps: list[Any] = []
        scores: list[Any] = []
        queue: list[Any] = []
        for c, sc, q in _rows(start + done, n, sources, now, seed + done):
            caps.append(c)
            scores.append(sc)
            queue.append(q)
        insert(db, [("captures", CAPTURE_COLS, caps), ("scores", SCORE_COLS, scores),
                    ("queue_items", QUEUE_COLS, queue)])
        done += n
        if not quiet:
            print(f"  {done:>9,} items  {time.perf_counter() - started:6.1f}s", flush=True)
    if db.dialect == "postgresql":
        with db.write() as s:
            for table in ("captures", "scores", "queue_items"):
                s.exec(text(  # type: ignore[call-overload]
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"))
            s.exec(text("ANALYZE"))  # type: ignore[call-overload]
    else:
        with db.write() as s:
            s.exec(text("ANALYZE"))  # type: ignore[call-overload]
    with db.write() as s:
        audit.record(s, actor="bench", action="collect", object_type="capture",
                     reason="synthetic benchmark load", details={"items": items, "first": start})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="sqlite:///PATH or postgresql://...")
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    db = Database(args.url)
    db.upgrade()
    try:
        seconds = generate(db, args.items, seed=args.seed)
    finally:
        db.dispose()
    print(f"generated {args.items:,} items in {seconds:.1f}s ({args.items / seconds:,.0f}/s)")


if __name__ == "__main__":
    main()
