"""The threat threshold: chosen on development posts for the queue an officer sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import models.training as training
from models.data.base import Example
from models.evaluation import RealisticPost
from models.thresholds import GRID, choose_threat_threshold
from models.types import Prediction
from tests.models.fakes import FakeEmbedder


@dataclass
class _Options:
    threshold: float = 0.5
    threat_threshold: float = 0.2


class _Scores:
    """A model whose p(threat) per text is fixed: a post is marked at or above the threshold."""

    def __init__(self, p_threat: dict[str, float]) -> None:
        self.p_threat = p_threat
        self.options = _Options()

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        return [Prediction(0.1, {}, "threat" if self.p_threat[t] >= self.options.threat_threshold
                           else "none") for t in texts]


def _post(text: str, threat: int) -> RealisticPost:
    return RealisticPost(text, text, 0, threat, "none", "threat" if threat else "none", "f")


def _posts(n_threats: int, n_benign: int) -> list[RealisticPost]:
    # Benign posts first: at equal priority the queue keeps arrival order, so ties go against
    # the threats.
    return [_post(f"b{i}", 0) for i in range(n_benign)] + \
        [_post(f"t{i}", 1) for i in range(n_threats)]


def test_the_threshold_that_puts_most_threats_on_top_of_the_queue() -> None:
    # Two threats the head is unsure of (0.15), and ten benign posts at 0.25: marking the unsure
    # threats would also mark the ten and push real threats below the first n + 5 places.
    posts = _posts(10, 20)
    scores = {f"t{i}": 0.9 for i in range(8)} | {"t8": 0.15, "t9": 0.15}
    scores |= {f"b{i}": 0.25 if i < 10 else 0.01 for i in range(20)}
    model = _Scores(scores)
    chosen = choose_threat_threshold(model, posts)
    assert chosen.threshold == 0.26 and model.options.threat_threshold == 0.26
    assert (chosen.threats_within_first_n_plus_5, chosen.threats) == (8, 10)
    assert chosen.recall == 0.8 and chosen.precision == 1.0 and chosen.posts == 30


def test_ties_go_to_the_lower_threshold() -> None:
    posts = _posts(2, 2)
    model = _Scores({"t0": 0.9, "t1": 0.9, "b0": 0.01, "b1": 0.01})
    assert choose_threat_threshold(model, posts).threshold == GRID[0]


def test_bad_input_is_a_clear_error() -> None:
    model = _Scores({"b0": 0.5})
    with pytest.raises(ValueError, match="no threats"):
        choose_threat_threshold(model, _posts(0, 1))
    with pytest.raises(ValueError, match="grid"):
        choose_threat_threshold(_Scores({"t0": 0.5}), _posts(1, 0), grid=[1.5])


def test_training_chooses_the_threshold_on_the_development_posts_after_fitting(
        monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = [Example(f"group alpha are vermin number {i}", 1, "stub", ("race",), "derogation")
              for i in range(40)] + [Example(f"nice walk by the river {i}", 0, "stub")
                                     for i in range(40)]
    monkeypatch.setattr(training, "read_corpora", lambda *_a, **_k: list(corpus))
    dev = [_post("I will burn your house down tonight", 1), _post("lovely walk by the canal", 0),
           _post("we know where you live, watch your back", 1)]
    plan = training.TrainPlan(Path("/nonexistent"), cv_folds=0, threat_dev=dev)
    model = training.train(plan, FakeEmbedder(32), evaluate_heldout=False)
    chosen = model.training["threat_threshold"]
    assert model.options.threat_threshold == chosen["threshold"] in GRID
    assert chosen["threats"] == 2 and chosen["posts"] == 3 and "threats + 5" in chosen["rule"]
