"""Scoring throughput with 1, 2 and 4 worker processes on one database.

    python bench/bench_workers.py --url postgresql://postgres@127.0.0.1/postgres \\
        --items 3000 --scorer fake
    python bench/bench_workers.py --url sqlite:////tmp/hm-workers --items 400 --scorer embedder

Each run gets a fresh database (a new PostgreSQL database next to the one in ``--url``, or a
new SQLite file with ``--url`` as prefix) holding ``--items`` captures stored unscored; the
workers (``monitor.ingest.backlog.score_pending`` in a loop, one process each) load their
scorer first, then start together and the clock stops when the backlog is empty.

Scorers: ``fake`` is tests.support.fakes.FakeScorer (no inference: measures the claim/write path of
the database); ``embedder`` adds the real sentence embedder (models.embedding.Embedder, the
bulk of the real classifier's CPU cost) on every batch, with one torch thread per worker, for
as long as no classifier artefact ships (``models.load_classifier()`` needs one); ``real``
uses ``models.load_classifier()``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.types import Prediction, Scorer
from monitor.ingest.backlog import backlog_size, score_pending, store_unscored
from monitor.storage.db import Database
from tests.support.fakes import FakeScorer, make_post

REPO = Path(__file__).resolve().parents[1]


class EmbedderScorer(FakeScorer):
    """FakeScorer's labels, with the real embedder's CPU cost paid on every batch."""

    def __init__(self) -> None:
        super().__init__("bench-embedder")
        import torch

        from models.embedding import Embedder

        torch.set_num_threads(1)
        self.embedder = Embedder(None)
        self.embedder.encode(["warm up"])

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.embedder.encode(list(texts))
        return super().predict(texts)


def _scorer(kind: str) -> Scorer:
    if kind == "fake":
        return FakeScorer()
    if kind == "embedder":
        return EmbedderScorer()
    import models

    return models.load_classifier()


def child(url: str, kind: str, go: Path, batch: int) -> None:
    scorer = _scorer(kind)
    db = Database(url)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.01)
    worker = f"bench-{os.getpid()}"
    scored = 0
    while True:
        done = score_pending(db, scorer, batch_size=batch, worker_id=worker).written
        scored += done
        if done == 0 and backlog_size(db) == 0:
            break
        if done == 0:
            time.sleep(0.05)
    db.dispose()
    print(scored, flush=True)


def _fresh_url(base: str, tag: str) -> tuple[str, Any]:
    if base.startswith("sqlite"):
        path = f"{make_url(base).database}-{tag}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    name = f"hm_bench_workers_{tag}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(str(make_url(base).set(drivername="postgresql+psycopg")),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), (admin, name)


def _drop(handle: Any) -> None:
    if handle is None:
        return
    admin, name = handle
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run(base: str, workers: int, items: int, kind: str, batch: int) -> float:
    url, handle = _fresh_url(base, f"w{workers}")
    try:
        db = Database(url)
        db.upgrade()
        posts = [make_post(i, f"synthetic benchmark post {i} about the market and the bus")
                 for i in range(items)]
        for start in range(0, items, 500):
            store_unscored(db, posts[start:start + 500], origin="import", actor="bench")
        db.dispose()
        with tempfile.TemporaryDirectory() as tmp:
            go = Path(tmp) / "go"
            env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
            procs = [subprocess.Popen(
                [sys.executable, __file__, "--child", "--url", url, "--scorer", kind,
                 "--go", str(go), "--batch", str(batch)],
                env=env, stdout=subprocess.PIPE, text=True)
                for _ in range(workers)]
            for p in procs:
                assert p.stdout is not None
                if p.stdout.readline().strip() != "ready":
                    raise RuntimeError("a worker failed to start")
            started = time.perf_counter()
            go.touch()
            counts = [int(p.communicate(timeout=3600)[0].strip().splitlines()[-1])
                      for p in procs]
            seconds = time.perf_counter() - started
        if sum(counts) != items:
            raise RuntimeError(f"workers scored {sum(counts)} of {items}: {counts}")
        return items / seconds
    finally:
        _drop(handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--url", required=True)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--scorer", choices=("fake", "embedder", "real"), default="fake")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--go", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.url, args.scorer, Path(args.go), args.batch)
        return
    backend = "PostgreSQL" if args.url.startswith("postgres") else "SQLite"
    print(f"| {backend}, scorer={args.scorer}, {args.items} items, batch {args.batch} "
          f"| items/s | vs 1 worker |\n|---|---:|---:|")
    base_rate = 0.0
    for n in (int(w) for w in args.workers.split(",")):
        rate = run(args.url, n, args.items, args.scorer, args.batch)
        base_rate = base_rate or rate
        print(f"| {n} worker{'s' if n > 1 else ''} | {rate:,.0f} | {rate / base_rate:.2f}x |",
              flush=True)


if __name__ == "__main__":
    main()
