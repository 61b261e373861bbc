"""A scoring worker process for the multi-process tests: ``python -m tests.support.child_worker``.

Scores the backlog with a FakeScorer that sleeps per batch (so batches of several workers
overlap) until the backlog is empty, then prints how many captures it scored."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from models.types import Prediction
from monitor.ingest.backlog import backlog_size, score_pending
from monitor.storage.db import Database
from tests.support.fakes import FakeScorer


class SleepyScorer(FakeScorer):
    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        time.sleep(self.delay)
        return super().predict(texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("worker_id")
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--deadline", type=float, default=60.0)
    parser.add_argument("--go", default="", help="wait for this file before starting")
    args = parser.parse_args()
    db = Database(args.url)
    scorer = SleepyScorer(args.delay)
    if args.go:
        # Start together, so no worker finds the backlog already drained by the others.
        print("ready", flush=True)
        while not Path(args.go).exists():
            time.sleep(0.01)
    scored = 0
    give_up = time.monotonic() + args.deadline
    try:
        while time.monotonic() < give_up:
            done = score_pending(db, scorer, batch_size=args.batch, worker_id=args.worker_id,
                                 lease_seconds=args.lease).written
            scored += done
            if done == 0:
                if backlog_size(db) == 0:
                    break
                time.sleep(0.1)  # what is left is leased by someone else: wait for expiry
    finally:
        db.dispose()
    print(scored, flush=True)


if __name__ == "__main__":
    main()
