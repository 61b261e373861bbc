"""Threat override and strand gating: threats are caught whatever the generic head says."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from models import gating
from models.classifier import HateClassifier
from models.types import TOP_STRAND_MIN, UNKNOWN_STRAND, Prediction
from tests.models.fakes import FakeEmbedder

THREAT = "kill every member of group alpha"
CALM = "the match last night was great"


def test_confident_threat_against_a_group_lifts_p_hate_and_sets_severity() -> None:
    c = gating.combine(0.3, 0.25, p_group=0.9, threat_threshold=0.2, threshold=0.5)
    assert c.threat and c.p_hate == 0.5 and c.p_hate_head == 0.3
    label, why = gating.severity(c, {"threat": 0.1, "dehumanisation": 0.2,
                                     "derogation": 0.7}, 0.5)
    assert label == "threat" and "whatever the generic p(hate)" in why
    assert "a protected group" in why


def test_a_threat_with_no_group_is_a_threat_but_not_hate() -> None:
    # "I know where the councillor lives": a possible crime, surfaced, but not hate.
    c = gating.combine(0.1, 0.9, p_group=0.05, threat_threshold=0.2, threshold=0.5)
    assert c.threat and c.p_hate == pytest.approx(0.1)
    label, why = gating.severity(c, {"derogation": 1.0}, 0.5)
    assert label == "threat" and "no protected group inferred" in why
    assert Prediction(c.p_hate, gating.gate_strands({"race": 0.05}, c.p_hate),
                      label).top_strand == UNKNOWN_STRAND


def test_threat_times_group_is_a_floor_on_p_hate() -> None:
    assert gating.combine(0.4, 0.9, 1.0, 0.2, 0.5).p_hate == 0.9
    assert gating.combine(0.4, 0.9, 0.45, 0.2, 0.5).p_hate == 0.405
    quiet = gating.combine(0.3, 0.1, 1.0, 0.2, 0.5)
    assert not quiet.threat and quiet.p_hate == 0.3
    assert gating.severity(quiet, {"derogation": 1.0}, 0.5)[0] == "none"
    # Below the threat threshold a hateful post is never labelled "threat" by the severity head.
    hateful = gating.combine(0.8, 0.1, 1.0, 0.2, 0.5)
    assert gating.severity(hateful, {"threat": 0.6, "dehumanisation": 0.3,
                                     "derogation": 0.1}, 0.5)[0] == "dehumanisation"
    p = gating.combined_p(np.array([0.3, 0.3, 0.7, 0.1], np.float32),
                          np.array([0.1, 0.25, 0.0, 0.9], np.float32),
                          np.array([1.0, 1.0, 1.0, 0.0], np.float32), 0.2, 0.5)
    assert np.allclose(p, [0.3, 0.5, 0.7, 0.1])


def test_strands_are_scaled_by_p_hate_and_benign_posts_name_no_group() -> None:
    about = {"race": 0.9, "religion": 0.1}
    assert gating.gate_strands(about, 0.1) == {"race": 0.09, "religion": 0.01}
    assert Prediction(0.1, gating.gate_strands(about, 0.1), "none").top_strand is None
    assert Prediction(0.8, gating.gate_strands(about, 0.8), "derogation").top_strand == "race"
    assert Prediction(0.5, {"race": TOP_STRAND_MIN}, "none").top_strand == "race"
    assert Prediction(0.5, {}, "none").top_strand is None


def _unsure(model: HateClassifier) -> None:
    """Make the generic hate head say 0.3 for everything, as the v1 model did for threats."""
    model._platt = (0.0, math.log(0.3 / 0.7))


def test_threat_head_catches_threat_when_hate_head_is_unsure(trained: HateClassifier) -> None:
    _unsure(trained)
    threat, calm = trained.predict([THREAT, CALM])
    assert threat.explanation["p_hate"]["hate_head"] == pytest.approx(0.3, abs=1e-3)
    assert threat.severity == "threat"
    assert threat.p_hate >= trained.options.threshold
    assert threat.top_strand == "race"
    assert calm.severity == "none" and calm.p_hate < 0.5
    assert calm.top_strand is None
    assert trained.predict_proba([THREAT])[0, 1] >= trained.options.threshold


def test_threat_head_round_trips(trained: HateClassifier, tmp_path: Path,
                                 fake_embedder: FakeEmbedder) -> None:
    loaded = HateClassifier.load(trained.save(tmp_path / "m"), fake_embedder)
    a, b = trained.predict([THREAT]), loaded.predict([THREAT])
    assert a[0].explanation["p_hate"] == b[0].explanation["p_hate"]
    assert loaded.options.threat_threshold == trained.options.threat_threshold


def test_model_without_threat_data_never_overrides(fake_embedder: FakeEmbedder) -> None:
    texts = [THREAT, "group beta are filthy vermin", CALM, "traffic is slow on the bridge"] * 8
    y = [1, 1, 0, 0] * 8
    clf = HateClassifier(fake_embedder).fit(texts, y)
    _unsure(clf)
    (pred,) = clf.predict([THREAT])
    assert pred.explanation["p_hate"]["threat_head"] < 0.01 and pred.severity == "none"


def test_a_fired_threat_against_a_group_reads_as_hate_under_a_low_balanced_threshold() -> None:
    c = gating.combine(0.1, 0.25, p_group=0.8, threat_threshold=0.2, threshold=0.33)
    assert c.threat and c.p_hate == gating.THREAT_FLOOR
    p = gating.combined_p(np.array([0.1, 0.1], np.float32), np.array([0.25, 0.1], np.float32),
                          np.array([0.8, 0.8], np.float32), 0.2, 0.33)
    assert p.tolist() == pytest.approx([0.5, 0.1])
