from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from models.types import Prediction
from monitor.audit import chain as audit
from monitor.ingest.pipeline import process_posts_sync, text_fingerprint
from monitor.review.priority import PriorityWeights, priority
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Payload, Score
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.review import QueueItem
from tests.support import FakeScorer, make_post

W = PriorityWeights()


def run(db: Database, scorer: FakeScorer, posts: list) -> object:  # type: ignore[type-arg]
    return process_posts_sync(db, scorer, posts, weights=W, origin="import", actor="test")


def test_stored_sha256_equals_sha256_of_stored_raw(db: Database, fake_scorer: FakeScorer) -> None:
    run(db, fake_scorer, [make_post(i, f"post {i} ünïcödé 🙂") for i in range(5)])
    with db.read() as s:
        caps = s.exec(select(Capture)).all()
    assert len(caps) == 5
    for c in caps:
        assert c.raw_sha256 == hashlib.sha256(c.raw).hexdigest()
        assert c.tool_version.startswith("hate-monitor/")
        assert c.captured_at.tzinfo is not None


def test_reingest_is_idempotent_and_scores_only_new(db: Database, fake_scorer: FakeScorer) -> None:
    posts = [make_post(i) for i in range(10)]
    first = run(db, fake_scorer, posts)
    again = run(db, fake_scorer, posts)
    assert (first.new, first.duplicate) == (10, 0)  # type: ignore[attr-defined]
    assert (again.new, again.duplicate) == (0, 10)  # type: ignore[attr-defined]
    assert fake_scorer.texts_seen == 10
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(QueueItem)).one() == 10
        assert s.exec(select(func.count()).select_from(Capture)).one() == 10


def test_edit_is_a_new_version_not_an_overwrite(db: Database, fake_scorer: FakeScorer) -> None:
    run(db, fake_scorer, [make_post(1, "original words")])
    run(db, fake_scorer, [make_post(1, "edited words: immigrants are vermin, get out")])
    with db.read() as s:
        caps = s.exec(select(Capture).order_by(Capture.version)).all()
        items = s.exec(select(QueueItem)).all()
    assert [c.version for c in caps] == [1, 2]
    assert caps[0].text == "original words"
    assert len(items) == 1 and items[0].capture_id == caps[1].id
    assert items[0].severity == "dehumanisation"


def test_duplicates_within_one_batch_are_stored_once(db: Database, fake_scorer: FakeScorer) -> None:
    result = run(db, fake_scorer, [make_post(1), make_post(1)])
    assert (result.new, result.duplicate) == (1, 1)  # type: ignore[attr-defined]


def test_response_payload_stored_once_with_hash(db: Database, fake_scorer: FakeScorer) -> None:
    body = b'[{"id":"1"},{"id":"2"}]'
    from dataclasses import replace

    posts = [replace(make_post(i), response=body, response_url="https://x/api") for i in (1, 2)]
    run(db, fake_scorer, posts)
    with db.read() as s:
        payloads = s.exec(select(Payload)).all()
        caps = s.exec(select(Capture)).all()
    assert len(payloads) == 1
    assert payloads[0].sha256 == hashlib.sha256(body).hexdigest() and payloads[0].body == body
    assert {c.payload_sha256 for c in caps} == {payloads[0].sha256}


def test_queue_ranks_threats_first(db: Database, fake_scorer: FakeScorer) -> None:
    run(db, fake_scorer, [
        make_post(1, "lovely weather at the seafront"),
        make_post(2, "muslims are disgusting filth, hate them"),
        make_post(3, "we will kill the immigrants, hate them"),
    ])
    with db.read() as s:
        items = s.exec(select(QueueItem).order_by(QueueItem.priority.desc())).all()  # type: ignore[attr-defined]
    assert [i.post_id for i in items] == ["3", "2", "1"]
    assert items[0].severity == "threat"


def test_every_collection_is_audited_and_chain_verifies(db: Database,
                                                         fake_scorer: FakeScorer) -> None:
    run(db, fake_scorer, [make_post(1), make_post(2)])
    run(db, fake_scorer, [make_post(1)])  # all duplicates: nothing new collected
    with db.read() as s:
        events = s.exec(select(AuditEvent)).all()
        report = audit.verify(s)
    assert [e.action for e in events] == ["collect"]
    assert events[0].details["new"] == 2
    assert report.ok and report.events == 1


def test_audit_is_append_only_in_the_database(db: Database) -> None:
    with db.write() as s:
        audit.record(s, actor="a", action="x")
    with pytest.raises(Exception, match="append-only"), db.write() as s:
        s.exec(text("UPDATE audit_events SET actor = 'mallory'"))  # type: ignore[call-overload]
    with pytest.raises(Exception, match="append-only"), db.write() as s:
        s.exec(text("DELETE FROM audit_events"))  # type: ignore[call-overload]


def test_audit_verify_detects_tampering(db: Database) -> None:
    with db.write() as s:
        for i in range(3):
            audit.record(s, actor="a", action=f"x{i}", details={"i": i})
    # Simulate an attacker with raw file access who bypasses the triggers.
    with db.write() as s:
        if db.dialect == "sqlite":
            s.exec(text("DROP TRIGGER audit_events_no_update"))  # type: ignore[call-overload]
        else:
            s.exec(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))  # type: ignore[call-overload]
        s.exec(text("UPDATE audit_events SET reason = 'edited' WHERE action = 'x1'"))  # type: ignore[call-overload]
    with db.read() as s:
        report = audit.verify(s)
        bad = s.exec(select(AuditEvent).where(AuditEvent.action == "x1")).one()
    assert not report.ok and report.first_bad_id == bad.id


def test_scores_record_model_version(db: Database) -> None:
    run(db, FakeScorer("fake-7"), [make_post(1)])
    with db.read() as s:
        assert s.exec(select(Score.model_version)).all() == ["fake-7"]


def test_priority_formula() -> None:
    now = datetime(2026, 11, 2, tzinfo=UTC)
    fresh = Prediction(0.8, {"race": 0.9}, "derogation")
    assert priority(fresh, now, now, W) == pytest.approx(0.6 * 0.8 + 0.3 / 3 + 0.1)
    day_old = priority(fresh, now - timedelta(hours=24), now, W)
    assert day_old == pytest.approx(0.6 * 0.8 + 0.3 / 3 + 0.05)
    threat = Prediction(0.6, {}, "threat")
    assert priority(threat, now, now, W) > 1.0
    # A threat to a person with no protected group named has a low p(hate): by default it still
    # sits above every post that is not a threat (at most 0.6 + 0.2 + 0.1).
    unnamed = Prediction(0.05, {}, "threat")
    assert priority(unnamed, now - timedelta(hours=48), now, W) > 0.6 + 0.3 * 2 / 3 + 0.1
    strict = PriorityWeights(threat_min_p=0.5)
    assert priority(unnamed, now, now, strict) < 1.0
    foreign = Prediction(0.01, {}, "none", language="fr", language_supported=False)
    assert priority(foreign, now, now, W) == W.unsupported_language


def test_text_fingerprint_groups_copy_paste() -> None:
    assert text_fingerprint("Go  HOME\nnow") == text_fingerprint("go home now")
    assert text_fingerprint("go home now") != text_fingerprint("go home later")


def test_shadow_models_score_beside_the_live_one_without_ranking(db: Database) -> None:
    live, shadow = FakeScorer("live-1"), FakeScorer("shadow-2")
    posts = [make_post(1, "kill the immigrants, hate them"), make_post(2)]
    process_posts_sync(db, live, posts, weights=W, origin="import", actor="t", shadows=[shadow])
    with db.read() as s:
        rows = s.exec(select(Score.model_version, Score.role)).all()
        item = s.exec(select(QueueItem).where(QueueItem.post_id == "1")).one()
        live_score = s.get(Score, item.score_id)
    assert sorted(rows) == sorted([("live-1", "live")] * 2 + [("shadow-2", "shadow")] * 2)
    assert live_score is not None and live_score.model_version == "live-1"
