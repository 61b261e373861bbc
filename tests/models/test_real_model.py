"""The shipped model, for real, on a handful of our own sentences (kept quick for CI)."""

from __future__ import annotations

import pytest

from models import default_artefact, load_classifier
from models.artefact import verify
from models.classifier import HateClassifier

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def shipped() -> HateClassifier:
    clf = load_classifier()
    assert isinstance(clf, HateClassifier)
    return clf


def test_shipped_artefact_verifies_and_is_small() -> None:
    path = default_artefact()
    verify(path)
    assert sum(p.stat().st_size for p in path.iterdir()) < 20 * 1024 * 1024
    # Each file stays under the 5 MB the repository allows one tracked file.
    assert max(p.stat().st_size for p in path.iterdir()) < 5 * 1024 * 1024


def test_ranks_hate_above_ordinary_posts(shipped: HateClassifier) -> None:
    hateful = ["Refugees are vermin and should be driven out of our town",
               "I'm going to burn down that mosque with the Muslims inside"]
    ordinary = ["The bin collection has moved to Thursday this week",
                "Great turnout at the community football match on Sunday"]
    preds = shipped.predict(hateful + ordinary)
    assert min(p.p_hate for p in preds[:2]) > max(p.p_hate for p in preds[2:])
    assert all(p.explanation["nearest"] for p in preds)
    assert preds[1].top_strand == "religion"
    assert all(p.explanation["model_version"] == shipped.model_version for p in preds)


def test_other_languages_are_marked_not_scored(shipped: HateClassifier) -> None:
    (pred,) = shipped.predict(["Je pense que les voisins sont très gentils dans ce quartier"])
    assert not pred.language_supported and pred.p_hate == 0.5


def test_cache_serves_reposts(shipped: HateClassifier) -> None:
    text = "A copy-paste campaign repeats exactly the same sentence many times over"
    before = shipped.embedder.cache.hits  # type: ignore[attr-defined]
    shipped.predict([text])
    shipped.predict([text, text])
    assert shipped.embedder.cache.hits >= before + 2  # type: ignore[attr-defined]


def test_threats_are_flagged_and_benign_posts_name_no_group(shipped: HateClassifier) -> None:
    threat, notice, idiom = shipped.predict([
        "I will kill the Muslims on my street",
        "Water main burst outside the station, buses diverted all afternoon",
        "Kill the lights when you lock up tonight",
    ])
    assert threat.severity == "threat" and threat.p_hate >= 0.5
    assert threat.top_strand == "religion"
    assert notice.severity == "none" and notice.top_strand is None
    assert idiom.severity == "none" and idiom.top_strand is None
