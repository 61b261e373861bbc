"""The threat threshold: chosen for recall on development posts, bounded, reported honestly."""

from __future__ import annotations

from pathlib import Path

import pytest

import models.training as training
from models.data.base import Example
from models.thresholds import CEILING, FLOOR, choose_threat_threshold
from tests.models.fakes import FakeEmbedder


def test_the_highest_threshold_that_marks_the_target_share_of_threats() -> None:
    p = [0.9, 0.5, 0.3, 0.05, 0.6, 0.01]
    chosen = choose_threat_threshold(p, [1, 1, 1, 1, 0, 0], 0.75)
    assert chosen.threshold == 0.3
    assert (chosen.recall, chosen.precision, chosen.threats, chosen.posts) == (0.75, 0.75, 4, 6)


def test_rounding_down_keeps_the_deciding_post_marked() -> None:
    chosen = choose_threat_threshold([0.33339, 0.9], [1, 1], 1.0)
    assert chosen.threshold == 0.3333 and chosen.recall == 1.0


def test_bounded_so_a_weak_head_cannot_flood_the_queue_or_wait_for_certainty() -> None:
    low = choose_threat_threshold([0.9, 0.5, 0.3, 0.01], [1, 1, 1, 1], 1.0)
    assert low.threshold == FLOOR and low.recall == 0.75  # the shortfall is reported
    high = choose_threat_threshold([0.99, 0.98, 0.97], [1, 1, 1], 0.5)
    assert high.threshold == CEILING and high.recall == 1.0


@pytest.mark.parametrize(("p", "y", "recall"), [([0.5], [0], 0.9), ([0.5], [1], 0.0),
                                                ([0.5], [1], 1.5), ([0.5, 0.2], [1], 0.9)])
def test_bad_input_is_a_clear_error(p: list[float], y: list[int], recall: float) -> None:
    with pytest.raises(ValueError):
        choose_threat_threshold(p, y, recall)


def test_training_chooses_the_threshold_on_the_development_posts_after_fitting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = [Example(f"group alpha are vermin number {i}", 1, "stub", ("race",), "derogation")
              for i in range(40)] + [Example(f"nice walk by the river {i}", 0, "stub")
                                     for i in range(40)]
    monkeypatch.setattr(training, "read_corpora", lambda *_a, **_k: list(corpus))
    dev = [("I will burn your house down tonight", 1), ("lovely walk by the canal", 0),
           ("we know where you live, watch your back", 1)]
    plan = training.TrainPlan(Path("/nonexistent"), cv_folds=0, threat_dev=dev,
                              threat_recall=1.0)
    model = training.train(plan, FakeEmbedder(32), evaluate_heldout=False)
    chosen = model.training["threat_threshold"]
    assert model.options.threat_threshold == chosen["threshold"]
    assert FLOOR <= chosen["threshold"] <= CEILING
    assert chosen["threats"] == 2 and chosen["posts"] == 3 and chosen["target_recall"] == 1.0
    scores = model.threat_scores([t for t, _ in dev])
    if chosen["recall"] == 1.0:  # every development threat is marked at the stored threshold
        assert all(s >= chosen["threshold"] for s, (_, y) in zip(scores, dev, strict=True) if y)


def test_a_bad_recall_target_fails_before_training() -> None:
    with pytest.raises(ValueError, match="threat_recall"):
        training.TrainPlan(Path("/nonexistent"), threat_recall=0.0)
