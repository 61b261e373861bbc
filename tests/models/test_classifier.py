from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models import artefact
from models.classifier import HateClassifier, TrainOptions
from models.types import DEFAULT_STRANDS, SEVERITIES
from tests.models.fakes import HATEFUL, NEUTRAL, FakeEmbedder


def test_predict_proba_is_calibrated_probability(trained: HateClassifier) -> None:
    p = trained.predict_proba(HATEFUL[:6] + NEUTRAL[:6])
    assert p.shape == (12, 2)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert (p[:6, 1] > 0.5).all() and (p[6:, 1] < 0.5).all()
    assert list(trained.predict_labels(["group beta are filthy vermin"])) == [1]


def test_platt_calibration_tracks_observed_rates(fake_embedder: FakeEmbedder) -> None:
    # Noisy labels: 20% of each class flipped. A calibrated model should not claim certainty.
    rng = np.random.default_rng(0)
    texts = HATEFUL * 3 + NEUTRAL * 3
    y = np.array([1] * (len(HATEFUL) * 3) + [0] * (len(NEUTRAL) * 3))
    flip = rng.random(len(y)) < 0.2
    y[flip] = 1 - y[flip]
    clf = HateClassifier(fake_embedder, options=TrainOptions(calibration_fraction=0.4)).fit(
        texts, y.tolist())
    p = clf.predict_proba(texts)[:, 1]
    assert 0.55 < p[y == 1].mean() < 0.95
    assert abs(p.mean() - y.mean()) < 0.1


def test_prediction_has_strands_severity_and_explanation(trained: HateClassifier) -> None:
    hate, calm = trained.predict(["kill every member of group alpha",
                                  "the match last night was great"])
    assert set(hate.strands) == set(DEFAULT_STRANDS)
    assert hate.top_strand == "race"
    assert hate.severity in SEVERITIES and hate.severity != "none"
    assert calm.severity == "none"
    assert hate.explanation["model_version"] == trained.model_version
    near = hate.explanation["nearest"]
    assert len(near) == 3 and near[0]["text"] == "group alpha are vermin"
    assert {"label", "similarity", "strand"} <= set(near[0])
    assert "severity" in hate.explanation and "strand" in hate.explanation
    json.dumps(hate.explanation)  # stored in a JSON column


def test_language_gating_gives_neutral_score_and_says_why(trained: HateClassifier) -> None:
    (fr,) = trained.predict(["Je pense que les voisins sont très gentils dans ce quartier"])
    assert not fr.language_supported
    assert fr.language == "fr"
    assert fr.p_hate == 0.5 and fr.severity == "none" and fr.strands == {}
    assert "not supported" in fr.explanation["summary"]
    (short,) = trained.predict(["lol"])  # too short to judge: scored as English
    assert short.language_supported


def test_save_load_round_trip(trained: HateClassifier, saved: Path,
                              fake_embedder: FakeEmbedder) -> None:
    assert {p.name for p in saved.iterdir()} == {*artefact.FILES, artefact.MANIFEST}
    loaded = HateClassifier.load(saved, fake_embedder)
    texts = HATEFUL[:6] + NEUTRAL[:6]
    assert loaded.model_version == trained.model_version
    assert np.allclose(loaded.predict_proba(texts), trained.predict_proba(texts), atol=1e-5)
    a, b = loaded.predict(texts[:1])[0], trained.predict(texts[:1])[0]
    assert a.severity == b.severity and a.explanation["nearest"] == b.explanation["nearest"]
    assert "Model card" in (saved / artefact.CARD).read_text()


@pytest.mark.parametrize("name", [artefact.CONFIG, artefact.WEIGHTS, artefact.EXEMPLARS])
def test_altered_artefact_is_refused(saved: Path, fake_embedder: FakeEmbedder, name: str) -> None:
    path = saved / name
    path.write_bytes(path.read_bytes() + b" ")
    with pytest.raises(artefact.ArtefactError, match="hash mismatch"):
        HateClassifier.load(saved, fake_embedder)


def test_missing_manifest_is_refused(saved: Path, fake_embedder: FakeEmbedder) -> None:
    (saved / artefact.MANIFEST).unlink()
    with pytest.raises(artefact.ArtefactError, match=r"manifest\.json: missing"):
        HateClassifier.load(saved, fake_embedder)


def test_wrong_embedder_dimension_is_refused(saved: Path) -> None:
    with pytest.raises(artefact.ArtefactError, match="32-d"):
        HateClassifier.load(saved, FakeEmbedder(32))


def test_no_pickle_in_artefact(saved: Path) -> None:
    for path in saved.iterdir():
        assert b"\x80\x04\x95" not in path.read_bytes()[:64]  # pickle protocol header


def test_options_validate() -> None:
    with pytest.raises(ValueError, match="head='forest'"):
        TrainOptions(head="forest")


def test_balanced_threshold_is_the_calibration_rows_share_of_hate(
    fake_embedder: FakeEmbedder, tmp_path: Path
) -> None:
    # One hateful row in three, as in the training mix: the threshold follows the base rate.
    texts = HATEFUL[:12] + NEUTRAL[:24]
    y = [1] * 12 + [0] * 24
    opts = TrainOptions(calibration_fraction=0.5, balanced_threshold=True, seed=2)
    clf = HateClassifier(fake_embedder, options=opts).fit(texts, y)
    assert clf.options.threshold == pytest.approx(6 / 18, abs=1e-3)
    loaded = HateClassifier.load(clf.save(tmp_path / "m"), fake_embedder)
    assert loaded.options.threshold == clf.options.threshold
    assert loaded.options.balanced_threshold
