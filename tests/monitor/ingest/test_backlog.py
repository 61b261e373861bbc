"""Scoring claimed in the database: several worker processes, every capture scored once, and a
worker killed with SIGKILL mid-batch leaves nothing claimed forever."""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import col

from models.types import Prediction
from monitor.ingest.backlog import (
    BULK,
    LIVE,
    backlog_size,
    claim_batch,
    enqueue_unscored,
    score_pending,
    store_unscored,
)
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Score, ScoringBacklog
from monitor.storage.tables.ops import AuditEvent, WorkerStats
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import utcnow
from tests.conftest import PG_URL
from tests.support.backlog import backlog, finish, start_together, start_worker
from tests.support.fakes import FakeScorer, make_post

needs_pg = pytest.mark.skipif(
    not PG_URL, reason="set HATE_MONITOR_TEST_DATABASE_URL to run against PostgreSQL")


def _assert_scored_once(db: Database, n: int) -> None:
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Score)) == n
        dupes = s.execute(text(
            "SELECT capture_id FROM scores GROUP BY capture_id HAVING COUNT(*) > 1")).all()
        assert dupes == []
        assert s.scalar(select(func.count()).select_from(QueueItem)) == n
        assert s.scalar(select(func.count()).select_from(ScoringBacklog)) == 0


def test_store_unscored_is_idempotent_and_audited(db: Database) -> None:
    posts = [make_post(i) for i in range(5)]
    first = store_unscored(db, posts, origin="import", actor="tester")
    again = store_unscored(db, posts, origin="import", actor="tester")
    assert (first.new, again.new, again.duplicate) == (5, 0, 5)
    assert backlog_size(db) == 5
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Score)) == 0
        events = s.scalars(select(AuditEvent).where(col(AuditEvent.action) == "collect")).all()
    assert len(events) == 1 and events[0].details["scoring"] == "deferred"


def test_score_pending_scores_and_queues_each_capture_once(db: Database) -> None:
    store_unscored(db, [make_post(i, "muslims are vermin, kill them") for i in range(7)],
                   origin="import", actor="tester")
    scorer = FakeScorer()
    assert score_pending(db, scorer, batch_size=5, worker_id="w1").written == 5
    assert score_pending(db, scorer, batch_size=5, worker_id="w1").written == 2
    assert score_pending(db, scorer, batch_size=5, worker_id="w1").written == 0
    _assert_scored_once(db, 7)
    with db.read() as s:
        item = s.scalars(select(QueueItem)).first()
        stats = s.get(WorkerStats, "w1")
    assert item is not None and item.severity == "threat" and item.priority > 1.0
    assert stats is not None and stats.scored_total == 7 and stats.batches_total == 2


def test_lost_lease_is_not_written_twice(db: Database) -> None:
    """A slow worker whose lease expired and was re-claimed must not write its late scores."""
    store_unscored(db, [make_post(i) for i in range(3)], origin="import", actor="tester")
    slow = claim_batch(db, worker_id="slow", batch_size=10, lease_seconds=-1, now=utcnow())
    assert len(slow.captures) == 3  # already expired: free for the next claim
    assert score_pending(db, FakeScorer(), batch_size=10, worker_id="fast").written == 3
    from monitor.ingest.backlog import _write_scores
    from monitor.review.priority import PriorityWeights

    preds = dict(zip([c.id or 0 for c in slow.captures],
                     FakeScorer().predict([c.text for c in slow.captures]), strict=True))
    with db.write() as s:
        late = _write_scores(s, slow, preds, model_version="fake-1", weights=PriorityWeights(),
                             now=utcnow(), retention_days=30)
    assert late == (0, [])
    _assert_scored_once(db, 3)


def test_enqueue_unscored_backfills_only_missing(db: Database) -> None:
    store_unscored(db, [make_post(i) for i in range(4)], origin="import", actor="tester")
    score_pending(db, FakeScorer(), batch_size=2, worker_id="w")
    with db.write() as s:
        s.execute(text("DELETE FROM scoring_backlog"))
    assert enqueue_unscored(db, "fake-1") == 2
    assert enqueue_unscored(db, "fake-1") == 0
    assert enqueue_unscored(db, "fake-2") == 2  # a new model: the two scored by fake-1 too


def test_two_processes_on_sqlite(db: Database, database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the SQLite variant of the multi-process test")
    backlog(db, 200)
    procs = [start_worker(database_url, f"w{i}", "--batch", "10") for i in range(2)]
    assert sum(finish(p) for p in procs) == 200
    _assert_scored_once(db, 200)


@pytest.mark.postgres
@needs_pg
@pytest.mark.parametrize("workers", [2, 4])
def test_workers_on_postgres_score_everything_once(
    db: Database, database_url: str, workers: int, tmp_path: Path
) -> None:
    n = 400
    backlog(db, n)
    procs = start_together(database_url, tmp_path / "go", workers, "--batch", "15",
                           "--delay", "0.03")
    counts = [finish(p) for p in procs]
    assert sum(counts) == n
    assert all(c > 0 for c in counts), f"some worker got no work: {counts}"
    _assert_scored_once(db, n)


@pytest.mark.postgres
@needs_pg
def test_killed_worker_leaves_nothing_claimed_forever(db: Database, database_url: str) -> None:
    n = 300
    backlog(db, n)
    # The victim leases a big batch and sits in "inference" for a minute.
    victim = start_worker(database_url, "victim", "--batch", "50", "--delay", "60",
                          "--lease", "3")
    deadline = time.monotonic() + 20
    held = 0
    while time.monotonic() < deadline and held == 0:
        with db.read() as s:
            held = s.scalar(select(func.count()).select_from(ScoringBacklog)
                            .where(col(ScoringBacklog.holder) == "victim")) or 0
        time.sleep(0.05)
    assert held == 50, "the victim never claimed its batch"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    others = [start_worker(database_url, f"w{i}", "--batch", "20", "--lease", "3")
              for i in range(2)]
    assert sum(finish(p) for p in others) == n
    _assert_scored_once(db, n)
    with db.read() as s:
        rescored = s.scalar(select(func.count()).select_from(Capture)) or 0
    assert rescored == n


def test_older_version_scored_late_never_takes_the_queue_item_back(db: Database) -> None:
    store_unscored(db, [make_post(1, "first wording")], origin="sweep", actor="t")
    store_unscored(db, [make_post(1, "edited wording, muslims are scum")], origin="sweep",
                   actor="t")
    with db.read() as s:
        v1, v2 = s.scalars(select(col(Capture.id)).order_by(col(Capture.id))).all()
    with db.write() as s:  # v2 first: the other worker got the newer version
        s.execute(text("UPDATE scoring_backlog SET attempts = 9 WHERE capture_id = :c"),
                  {"c": v1})
    assert score_pending(db, FakeScorer(), batch_size=5, worker_id="a").written == 1
    with db.write() as s:
        s.execute(text("UPDATE scoring_backlog SET attempts = 0 WHERE capture_id = :c"),
                  {"c": v1})
    assert score_pending(db, FakeScorer(), batch_size=5, worker_id="b").written == 1
    with db.read() as s:
        item = s.scalars(select(QueueItem)).one()
        assert s.scalar(select(func.count()).select_from(Score)) == 2
    assert item.capture_id == v2 and item.severity != "none"


async def test_scoring_loop_drains_backlog_and_stops(db: Database) -> None:
    import asyncio

    from monitor.ingest.backlog import scoring_loop

    store_unscored(db, [make_post(i) for i in range(12)], origin="import", actor="t")
    stop = asyncio.Event()
    task = asyncio.create_task(scoring_loop(db, FakeScorer(), stop=stop, worker_id="loop",
                                            batch_size=5, idle_sleep=0.05))
    for _ in range(200):
        if backlog_size(db) == 0:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    _assert_scored_once(db, 12)


class _Broken(FakeScorer):
    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        raise RuntimeError("model crashed")


def test_failed_batch_keeps_its_lease_and_counts_attempts(db: Database) -> None:
    store_unscored(db, [make_post(i) for i in range(2)], origin="import", actor="t")
    with pytest.raises(RuntimeError, match="model crashed"):
        score_pending(db, _Broken(), batch_size=5, worker_id="w", lease_seconds=60)
    with db.read() as s:
        rows = s.scalars(select(ScoringBacklog)).all()
        stats = s.get(WorkerStats, "w")
    assert [r.attempts for r in rows] == [1, 1] and all(r.holder == "w" for r in rows)
    assert stats is not None and stats.failures_total == 1
    # Leased: nobody else takes them until the lease runs out.
    assert score_pending(db, FakeScorer(), batch_size=5, worker_id="other").written == 0


def test_todays_posts_are_claimed_before_a_back_fill_of_history(db: Database) -> None:
    """A back-fill stores thousands of old posts; a threat a sweep fetches afterwards must not
    wait for the model to get through them."""
    now = utcnow()
    history = [make_post(i, created_at=now - timedelta(days=30, minutes=i)) for i in range(6)]
    store_unscored(db, history, origin="sweep", actor="t")
    threat = make_post(100, "muslims are vermin, kill them", created_at=now - timedelta(hours=1))
    # No readable date (created_at is then the capture time's stand-in): treated as live.
    undated = replace(make_post(101, created_at=now - timedelta(days=9)), created_at_known=False)
    store_unscored(db, [threat, undated], origin="sweep", actor="t")
    with db.read() as s:
        lanes = {r.capture_id: r.lane for r in s.scalars(select(ScoringBacklog))}
    assert sorted(lanes.values()) == [LIVE, LIVE] + [BULK] * 6
    first = claim_batch(db, worker_id="w", batch_size=2, lease_seconds=60, now=utcnow())
    assert {c.post_id for c in first.captures} == {"100", "101"}


def test_rescoring_after_a_model_change_waits_in_the_bulk_lane(db: Database) -> None:
    store_unscored(db, [make_post(i, created_at=utcnow()) for i in range(2)], origin="sweep",
                   actor="t")
    score_pending(db, FakeScorer(), batch_size=5, worker_id="w")
    assert enqueue_unscored(db, "fake-2") == 2
    fresh = make_post(50, created_at=utcnow())
    store_unscored(db, [fresh], origin="sweep", actor="t")
    with db.read() as s:
        lanes = sorted(r.lane for r in s.scalars(select(ScoringBacklog)))
    assert lanes == [LIVE, BULK, BULK]
    first = claim_batch(db, worker_id="w", batch_size=1, lease_seconds=60, now=utcnow())
    assert [c.post_id for c in first.captures] == ["50"]


async def test_scoring_loop_hands_each_batchs_queue_items_to_the_alerts(db: Database) -> None:
    import asyncio

    from monitor.ingest.backlog import scoring_loop

    store_unscored(db, [make_post(i, "muslims are vermin, kill them") for i in range(3)],
                   origin="sweep", actor="t")
    seen: list[list[int]] = []

    async def on_scored(item_ids: list[int]) -> None:
        seen.append(item_ids)
        if len(seen) == 1:
            raise RuntimeError("webhook down")  # logged; scoring goes on

    stop = asyncio.Event()
    task = asyncio.create_task(scoring_loop(db, FakeScorer(), stop=stop, worker_id="loop",
                                            batch_size=2, idle_sleep=0.05,
                                            on_scored=on_scored))
    for _ in range(200):
        if backlog_size(db) == 0 and len(seen) == 2:
            break
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    with db.read() as s:
        items = set(s.scalars(select(col(QueueItem.id))).all())
    assert [len(batch) for batch in seen] == [2, 1]
    assert {i for batch in seen for i in batch} == items
