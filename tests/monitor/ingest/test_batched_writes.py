"""The set-based batch writes and the overlapped stream keep the pipeline's guarantees."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import func, select

from monitor.ingest import writes
from monitor.ingest.pipeline import process_posts_sync
from monitor.ingest.stream import process_stream_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Payload, Score
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.review import QueueItem
from tests.support.fakes import FakeScorer, make_post

W = PriorityWeights()


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_two_versions_of_one_post_in_one_batch(db: Database) -> None:
    first = make_post(1, "first wording")
    edited = make_post(1, "edited wording, muslims are scum")
    r = process_posts_sync(db, FakeScorer(), [first, edited, make_post(2)], weights=W,
                           origin="import", actor="t")
    assert (r.new, r.versions, len(set(r.queue_item_ids))) == (2, 1, 2)
    with db.read() as s:
        caps = s.exec(select(Capture).where(Capture.post_id == "1")
                      .order_by(Capture.version)).all()  # type: ignore[arg-type]
        [item] = s.exec(select(QueueItem).where(QueueItem.post_id == "1")).all()
        score = s.get(Score, item.score_id)
    assert [c.version for c in caps] == [1, 2]
    assert item.capture_id == caps[1].id  # the queue shows the later text
    assert score is not None and score.capture_id == caps[1].id
    assert r.queue_item_ids[0] == r.queue_item_ids[1] == item.id


def test_a_decided_item_keeps_its_priority_when_a_new_version_arrives(db: Database) -> None:
    process_posts_sync(db, FakeScorer(), [make_post(1, "muslims are vermin")], weights=W,
                       origin="import", actor="t")
    with db.write() as s:
        item = s.exec(select(QueueItem)).one()
        item.status, item.priority = "decided", 0.123
        s.add(item)
    process_posts_sync(db, FakeScorer(), [make_post(1, "muslims are vermin, kill them")],
                       weights=W, origin="import", actor="t")
    with db.read() as s:
        item = s.exec(select(QueueItem)).one()
    assert item.priority == 0.123 and item.severity == "threat"


def test_one_response_body_for_many_posts_is_stored_once(db: Database) -> None:
    body = b'{"statuses": [1, 2, 3]}'
    posts = [replace(make_post(i), response=body, response_url="https://x/y") for i in range(3)]
    process_posts_sync(db, FakeScorer(), posts, weights=W, origin="import", actor="t")
    process_posts_sync(db, FakeScorer(), [replace(make_post(9), response=body)], weights=W,
                       origin="import", actor="t")
    assert count(db, Payload) == 1
    with db.read() as s:
        assert {c.payload_sha256 for c in s.exec(select(Capture))} == {
            s.exec(select(Payload.sha256)).one()}


def test_a_failure_after_the_captures_are_written_stores_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object, **_k: object) -> list[int]:
        raise RuntimeError("killed mid-batch")

    monkeypatch.setattr(writes, "upsert_queue_items", boom)
    with pytest.raises(RuntimeError, match="mid-batch"):
        process_posts_sync(db, FakeScorer(), [make_post(i) for i in range(5)], weights=W,
                           origin="import", actor="t")
    assert count(db, Capture) == count(db, Score) == count(db, AuditEvent) == 0
    monkeypatch.undo()
    r = process_posts_sync(db, FakeScorer(), [make_post(i) for i in range(5)], weights=W,
                           origin="import", actor="t")
    assert r.new == 5 and count(db, QueueItem) == 5


def test_stream_stores_batches_in_order_once_each(db: Database) -> None:
    posts = [make_post(i) for i in range(10)]
    batches = [posts[0:4], posts[2:8], posts[6:10]]  # overlapping: repeats are duplicates
    results = list(process_stream_sync(db, FakeScorer(), batches, weights=W, origin="import",
                                       actor="t"))
    assert [r.new for r in results] == [4, 4, 2]
    assert [r.duplicate for r in results] == [0, 2, 2]
    assert count(db, Capture) == count(db, QueueItem) == 10
    again = list(process_stream_sync(db, FakeScorer(), batches, weights=W, origin="import",
                                     actor="t"))
    assert sum(r.new for r in again) == 0 and count(db, Capture) == 10


def test_stream_raises_a_failed_write_and_keeps_the_batches_before_it(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = writes.upsert_queue_items
    calls = 0

    def second_fails(*a: object, **k: object) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("disk full")
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(writes, "upsert_queue_items", second_fails)
    batches = [[make_post(i) for i in range(k, k + 3)] for k in (0, 3, 6)]
    stored = []
    with pytest.raises(RuntimeError, match="disk full"):
        for r in process_stream_sync(db, FakeScorer(), batches, weights=W, origin="import",
                                     actor="t"):
            stored.append(r.new)
    assert stored == [3] and count(db, Capture) == 3
