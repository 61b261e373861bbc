"""The frozen realistic evaluation set: unchanged, well-formed, and never seen by training."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import models.training as training
from models import evaluation as ev
from models import overlap
from models.data.base import Example
from models.types import DEFAULT_STRANDS, Prediction
from tests.models.fakes import FakeEmbedder

# Recorded when the set was frozen (2026-12-06). A change needs a new file, not a new hash.
FROZEN_SHA256 = "99f6e1eea9fd274772645bb80c97dd196f85e6d9763e0bcf7a6a3ec888369dc9"
DEV_SHA256 = "4d587e35590926ecfb41253784cebfceed0d075d67b0794cae155007524fade9"
DEV2_SHA256 = "b00a60618e973333961c33f1b9ba6251757c4c3656009d39e5d1ca9f192bc608"
FORMS_SHA256 = "ba2d08897b219f7343cf8b45a1e1d641f22cc65a9c9462a02371432b6762e0a5"
SECOND_JUDGE_SHA256 = "95b7e302545a4fa615fcf869b9a1d98f605bb1d11d9bea6c1c33296906d39afd"
DEV3_SHA256 = "392dd5f57c4604713a0e060613e5811ab45df191cfa76e13232c2f2e980edd37"
DEV4_SHA256 = "43c0a08531c384c8fc2010ee16aacb85e5762f6b4f96904b549036425040241d"
DEV5_SHA256 = "277b82df3e543f8b92daf1eb5e246fd909c42c11dfead9975c48232d1c2e2835"
# Stock phrases two writers reached for on their own (the training row predates the file).
COMMON_PHRASES = ("shoot me a message if you want the spare",
                  "women are too emotional to be in charge of anything")


def test_the_file_is_frozen_and_documented() -> None:
    assert hashlib.sha256(ev.REALISTIC.read_bytes()).hexdigest() == FROZEN_SHA256
    assert "FROZEN" in (ev.REALISTIC.parent / "README.md").read_text(encoding="utf-8")


def test_the_second_judge_is_frozen_documented_and_chooses_nothing() -> None:
    assert hashlib.sha256(ev.REALISTIC_UK2.read_bytes()).hexdigest() == SECOND_JUDGE_SHA256
    assert ev.REALISTIC_UK2.name in (ev.REALISTIC.parent / "README.md").read_text(
        encoding="utf-8")
    assert ev.REALISTIC_UK2 not in ev.DEVELOPMENT


@pytest.mark.parametrize(("path", "sha256"), [(ev.REALISTIC_DEV, DEV_SHA256),
                                               (ev.REALISTIC_DEV2, DEV2_SHA256),
                                               (ev.REALISTIC_THREAT_FORMS, FORMS_SHA256),
                                               (ev.REALISTIC_DEV3, DEV3_SHA256),
                                               (ev.REALISTIC_DEV4, DEV4_SHA256),
                                               (ev.REALISTIC_DEV5, DEV5_SHA256)],
                         ids=["dev", "dev2", "threat-forms", "dev3", "dev4", "dev5"])
def test_the_development_files_are_frozen_and_documented(path: Path, sha256: str) -> None:
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256
    assert path.name in (ev.REALISTIC.parent / "README.md").read_text(encoding="utf-8")


def test_the_development_files_read_as_one_set_with_distinct_ids() -> None:
    union = ev.read_realistic(*ev.DEVELOPMENT)
    assert len(union) == sum(len(ev.read_realistic(p)) for p in ev.DEVELOPMENT)
    assert len({p.id for p in union}) == len(union)


def test_the_development_set_is_a_file_no_run_trains_on_and_no_judge() -> None:
    assert ev.DEVELOPMENT == (ev.REALISTIC_DEV4,)
    assert not set(ev.DEVELOPMENT) & {*ev.TAUGHT, ev.REALISTIC, ev.REALISTIC_UK2}
    assert not {ev.REALISTIC, ev.REALISTIC_UK2} & set(ev.TAUGHT)


def test_the_fifth_development_file_waits_outside_every_use() -> None:
    assert ev.REALISTIC_DEV5 not in {*ev.DEVELOPMENT, *ev.TAUGHT}


@pytest.mark.parametrize("path", ev.TAUGHT, ids=lambda p: p.stem)
def test_a_taught_file_is_in_training_whole_but_for_runs_shared_with_a_judge(
        path: Path) -> None:
    """Taught as written (docs/MODEL_LOG.md): a post is left out only when it shares a six-word
    run with the frozen set, so no judge's wording reaches training through it."""
    training_texts = {r.text for r in training.read_contrast()}
    judged = overlap.runs_of(p.text for p in ev.read_realistic(ev.REALISTIC))
    posts = ev.read_realistic(path)
    left_out = [p for p in posts if p.text not in training_texts]
    assert all(overlap.runs(p.text) & judged for p in left_out), left_out[:3]
    assert len(left_out) <= 12


def test_two_files_that_share_an_id_are_refused(tmp_path: Path) -> None:
    row = ('{"id": "x1", "text": "a post", "hateful": 0, "threat": 0, "strand": "none", '
           '"severity": "none", "family": "sport"}\n')
    (tmp_path / "a.jsonl").write_text(row, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(row, encoding="utf-8")
    with pytest.raises(ev.EvaluationError, match=r"b\.jsonl:1: id 'x1' is also in"):
        ev.read_realistic(tmp_path / "a.jsonl", tmp_path / "b.jsonl")


# The third development file lost 60 of its 345 posts to the six-word overlap check.
@pytest.mark.parametrize(("path", "least"), [(ev.REALISTIC, 300), (ev.REALISTIC_DEV, 300),
                                             (ev.REALISTIC_DEV2, 300), (ev.REALISTIC_DEV3, 280),
                                             (ev.REALISTIC_DEV4, 300), (ev.REALISTIC_UK2, 300),
                                             (ev.REALISTIC_DEV5, 300)],
                         ids=["frozen", "dev", "dev2", "dev3", "dev4", "second-judge", "dev5"])
def test_rows_cover_every_strand_and_both_kinds_of_threat(path: Path, least: int) -> None:
    posts = ev.read_realistic(path)
    assert len(posts) >= least
    assert len({p.id for p in posts}) == len(posts)
    strands = {p.strand for p in posts if p.hateful}
    assert set(DEFAULT_STRANDS) - {"other"} <= strands
    assert any(p.threat and not p.hateful for p in posts)  # threats at unprotected targets
    assert all((p.severity == "threat") == bool(p.threat) for p in posts)
    # Enough benign look-alikes to measure false alarms on (the files hold 118 to 177).
    assert sum(not p.urgent_or_hateful for p in posts) >= 110


def test_the_threat_forms_file_pairs_every_form_with_benign_twins() -> None:
    posts = ev.read_realistic(ev.REALISTIC_THREAT_FORMS)
    assert ev.REALISTIC_THREAT_FORMS not in ev.DEVELOPMENT  # its own reading, not the union's
    threats = [p for p in posts if p.threat]
    assert len(threats) >= 60 and sum(not p.urgent_or_hateful for p in posts) >= 60
    assert set(DEFAULT_STRANDS) - {"other"} <= {p.strand for p in threats}
    assert any(not p.hateful for p in threats)
    assert all((p.severity == "threat") == bool(p.threat) for p in posts)


@pytest.mark.parametrize("path", [p for p in ev.REALISTIC_FILES if p not in ev.TAUGHT],
                         ids=lambda p: p.stem)
def test_no_realistic_post_or_eight_word_run_of_one_is_in_the_training_templates(
        path: Path) -> None:
    posts = ev.read_realistic(path)
    contrast = training.read_contrast()
    mine = {" ".join(overlap.words(r.text)) for r in contrast}
    theirs = {" ".join(overlap.words(p.text)) for p in posts}
    assert not mine & theirs
    shared = overlap.runs_of((p.text for p in posts), 8) & \
        overlap.runs_of((r.text for r in contrast), 8)
    shared -= overlap.runs_of(COMMON_PHRASES, 8)
    assert not shared, sorted(shared)[:5]


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path Python opens while the fixture is active (an audit hook cannot be removed,
    so it records only while the list is live)."""
    seen: list[str] = []
    active = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if active[0] and event == "open" and isinstance(args[0], str | bytes | Path):
            seen.append(str(args[0]))

    sys.addaudithook(hook)
    yield seen
    active[0] = False


def test_training_never_opens_the_realistic_set(monkeypatch: pytest.MonkeyPatch,
                                                opened: list[str]) -> None:
    corpus = [Example(f"group alpha are vermin number {i}", 1, "stub", ("race",), "derogation")
              for i in range(40)] + [Example(f"nice walk by the river {i}", 0, "stub")
                                     for i in range(40)]
    monkeypatch.setattr(training, "read_corpora", lambda *_a, **_k: list(corpus))
    plan = training.TrainPlan(Path("/nonexistent"), cv_folds=0, holdout=0.2)
    model = training.train(plan, FakeEmbedder(32), evaluate_heldout=False)
    assert model.metrics["contrast_holdout"]["templates"] > 0
    assert any(p.endswith("contrast.jsonl") for p in opened)  # the hook does see reads
    assert not [p for p in opened if "evalsets" in p]


def test_realistic_metrics_rank_threats_first_and_count_what_an_officer_feels() -> None:
    posts = [ev.RealisticPost("a", "x", 1, 1, "religion", "threat", "arson"),
             ev.RealisticPost("b", "y", 0, 1, "none", "threat", "threat_unprotected"),
             ev.RealisticPost("c", "z", 1, 0, "race", "derogation", "trope"),
             ev.RealisticPost("d", "w", 0, 0, "none", "none", "sport")]
    preds = [Prediction(0.9, {"religion": 0.8}, "threat"), Prediction(0.1, {}, "threat"),
             Prediction(0.2, {"race": 0.1}, "none"), Prediction(0.3, {}, "none")]
    m = ev.realistic_metrics(posts, preds, 0.5)
    assert m["threat"] == {"n": 2, "recall": 1.0, "precision": 1.0, "flagged": 2}
    assert m["queue"]["threats_within_first_n_plus_5"] == 2
    assert m["queue"]["worst_threat_place"] == 2
    # The missed trope sits below the sport chatter: the queue order is not perfect.
    assert m["queue"]["roc_auc"] == pytest.approx(2 / 3, abs=1e-3)
    assert m["by_family"]["trope"]["accuracy"] == 0.0 and m["accuracy_benign"] == 1.0
    assert m["strand_named"] == {"n": 2, "accuracy": 0.5}
    assert np.isclose(ev.queue_rank(preds[1]), 0.6 * 0.1 + 0.3 + 1.0)
