from __future__ import annotations

from pathlib import Path

import pytest

from models.classifier import Exemplar, HateClassifier, TrainOptions
from tests.models.fakes import HATEFUL, NEUTRAL, FakeEmbedder


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def trained(fake_embedder: FakeEmbedder) -> HateClassifier:
    texts = HATEFUL + NEUTRAL
    y = [1] * len(HATEFUL) + [0] * len(NEUTRAL)
    strands = [("race",) if "alpha" in t else ("religion",) if "beta" in t else ()
               for t in texts]
    severities = ["threat" if ("kill" in t or "hurt" in t) else
                  "dehumanisation" if ("vermin" in t or "parasites" in t) else "derogation"
                  if lab else None for t, lab in zip(texts, y, strict=True)]
    exemplars = [Exemplar("group alpha are vermin", 1, "race", "dehumanisation"),
                 Exemplar("group alpha are welcome here", 0, "race"),
                 Exemplar("nice weather in the park", 0)]
    clf = HateClassifier(fake_embedder, options=TrainOptions(calibration_fraction=0.3, seed=1))
    return clf.fit(texts, y, strand_labels=strands, severities=severities,
                   exemplars=exemplars)


@pytest.fixture
def saved(trained: HateClassifier, tmp_path: Path) -> Path:
    return trained.save(tmp_path / "model")
