from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from models import default_artefact
from models.classifier import HateClassifier
from monitor.classifier import versions as reg
from monitor.config import Settings
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.evidence import Score
from monitor.storage.tables.ops import AuditEvent, ModelVersion
from monitor.storage.tables.review import Decision, QueueItem
from tests.support.fakes import FakeScorer, make_post

TEXTS = [
    "Muslims are vermin and should be burned out",
    "lovely weather for the school fete",
    "I hate immigrants, get out",
    "trans people are welcome at our cafe",
    "kill all the gay people",
]


def _fill_queue(db: Database) -> list[int]:
    posts = [make_post(i, t) for i, t in enumerate(TEXTS)]
    result = process_posts_sync(db, FakeScorer("live-1"), posts, weights=PriorityWeights(),
                                origin="import", actor="test")
    return result.capture_ids


def _register(db: Database, trained: HateClassifier, tmp_path: Path, name: str,
              role: str = "shadow") -> str:
    path = trained.save(tmp_path / name)
    return reg.register_version(db, path, role).version


def test_register_and_list(db: Database, trained: HateClassifier, tmp_path: Path) -> None:
    version = _register(db, trained, tmp_path, "a")
    rows = reg.list_versions(db)
    assert [(r.version, r.role) for r in rows] == [(version, "shadow")]
    assert "contrast_cv" in rows[0].card["metrics"] or rows[0].card["metrics"] == {}
    with pytest.raises(reg.RegistryError, match="already registered"):
        reg.register_version(db, tmp_path / "a", "shadow")
    with pytest.raises(reg.RegistryError, match="not a classifier artefact"):
        reg.register_version(db, tmp_path, "shadow")


def test_shadow_scores_never_touch_priority(db: Database) -> None:
    captures = _fill_queue(db)
    with db.read() as s:
        before = {q.id: (q.priority, q.score_id) for q in s.exec(select(QueueItem))}
    shadow = FakeScorer("shadow-2")
    assert reg.score_shadow(db, shadow, captures) == len(captures)
    assert reg.score_shadow(db, shadow, captures) == 0  # idempotent
    with db.read() as s:
        after = {q.id: (q.priority, q.score_id) for q in s.exec(select(QueueItem))}
        roles = {sc.role for sc in s.exec(select(Score).where(
            Score.model_version == "shadow-2"))}
    assert after == before
    assert roles == {"shadow"}


def _decide(db: Database, outcomes: dict[int, str]) -> None:
    with db.write() as s:
        user = User(username="officer1", role="officer", password_hash="x")
        s.add(user)
        s.flush()
        for item in s.exec(select(QueueItem)):
            outcome = outcomes.get(item.capture_id)
            if outcome:
                s.add(Decision(queue_item_id=item.id or 0, capture_id=item.capture_id,
                               user_id=user.id or 0, outcome=outcome))
                item.status = "decided"
                s.add(item)


def test_compare_on_decided_items(db: Database) -> None:
    captures = _fill_queue(db)
    _decide(db, {captures[0]: "hate_intelligence", captures[1]: "not_hate",
                 captures[2]: "possible_crime", captures[3]: "not_hate"})
    shadow = FakeScorer("shadow-2")
    reg.score_shadow(db, shadow, captures[:2])
    a, b = reg.compare(db, "live-1", "shadow-2", scorers={"shadow-2": shadow})
    assert a.version == "live-1" and a.n == 4 and a.accuracy is not None
    assert b.n == 4  # two stored shadow scores + two scored in memory
    assert a.roc_auc is not None and 0.0 <= a.roc_auc <= 1.0
    with db.read() as s:  # in-memory scoring wrote nothing
        assert len(list(s.exec(select(Score).where(Score.model_version == "shadow-2")))) == 2


def test_promote_rescores_open_queue_and_audits(db: Database, trained: HateClassifier,
                                                tmp_path: Path) -> None:
    captures = _fill_queue(db)
    _decide(db, {captures[1]: "not_hate"})
    old = _register(db, trained, tmp_path, "old", role="live")
    new = FakeScorer("new-3")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "config.json").write_text('{"version": "new-3"}')
    reg.register_version(db, tmp_path / "new", "shadow")
    reg.score_shadow(db, new, captures[:1])  # a shadow score that becomes live
    n = reg.promote(db, "new-3", "admin", scorer=new, weights=PriorityWeights(threat_boost=0.0))
    assert n == len(captures) - 1
    with db.read() as s:
        roles = {r.version: r.role for r in s.exec(select(ModelVersion))}
        items = list(s.exec(select(QueueItem)))
        scores = {sc.id: sc for sc in s.exec(select(Score))}
        events = [e.action for e in s.exec(select(AuditEvent))]
    assert roles == {old: "retired", "new-3": "live"}
    for item in items:
        score = scores[item.score_id or 0]
        if item.status == "open":
            assert score.model_version == "new-3" and score.role == "live"
        else:
            assert score.model_version == "live-1"  # decided items keep their score
    assert "model_promote" in events
    with pytest.raises(reg.RegistryError, match="not registered"):
        reg.promote(db, "nope", "admin", scorer=FakeScorer("nope"), weights=PriorityWeights())


def test_rescore_open_reranks_what_an_earlier_model_scored(db: Database) -> None:
    """After an upgrade ships a new default model, the open queue is re-scored on request."""
    captures = _fill_queue(db)
    _decide(db, {captures[1]: "not_hate"})
    assert reg.open_queue_versions(db) == {"live-1": len(captures) - 1}
    new = FakeScorer("shipped-2")
    n = reg.rescore_open(db, new, "admin", weights=PriorityWeights(threat_boost=0.0))
    assert n == len(captures) - 1
    assert reg.open_queue_versions(db) == {"shipped-2": len(captures) - 1}
    with db.read() as s:
        items = list(s.exec(select(QueueItem)))
        scores = {sc.id: sc for sc in s.exec(select(Score))}
        events = [e for e in s.exec(select(AuditEvent)) if e.action == "model_rescore"]
    for item in items:
        score = scores[item.score_id or 0]
        assert score.model_version == ("shipped-2" if item.status == "open" else "live-1")
    assert len(events) == 1 and events[0].object_id == "shipped-2"
    assert events[0].details == {"rescored_open_items": len(captures) - 1,
                                 "previous": {"live-1": len(captures) - 1}}
    # Nothing left to re-score: a second run changes nothing and audits nothing.
    assert reg.rescore_open(db, new, "admin", weights=PriorityWeights()) == 0
    with db.read() as s:
        assert sum(e.action == "model_rescore" for e in s.exec(select(AuditEvent))) == 1


def test_live_version_is_named_without_loading_the_model(db: Database, settings: Settings,
                                                         trained: HateClassifier,
                                                         tmp_path: Path) -> None:
    shipped = json.loads((default_artefact() / "config.json").read_text(encoding="utf-8"))
    assert reg.live_version(settings, db) == shipped["version"]
    own = trained.save(tmp_path / "own")
    configured = settings.with_overrides(model__path=str(own))
    assert reg.live_version(configured, db) == trained.model_version
    promoted = _register(db, trained, tmp_path, "promoted", role="live")
    assert reg.live_version(settings, db) == promoted
