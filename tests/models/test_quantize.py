"""``model.quantize``: the shipped model with its encoder's linear layers in dynamic int8."""

from __future__ import annotations

import numpy as np
import pytest

from models import load_classifier
from models.classifier import HateClassifier

pytestmark = pytest.mark.model

TEXTS = ["Refugees are vermin and should be driven out of our town",
         "I'm going to burn down that mosque with the Muslims inside",
         "The bin collection has moved to Thursday this week",
         "Great turnout at the community football match on Sunday"]


def test_quantised_encoder_is_a_separate_model_close_to_fp32() -> None:
    plain = load_classifier()
    int8 = load_classifier(quantize=True)  # no deprecation warning escapes (warnings fail)
    assert isinstance(plain, HateClassifier) and isinstance(int8, HateClassifier)
    assert int8.embedder.name == plain.embedder.name + "+int8"  # caches kept apart
    a = plain.embedder.encode(TEXTS)
    b = int8.embedder.encode(TEXTS)
    assert float(np.min(np.sum(a * b, axis=1))) > 0.9
    preds = int8.predict(TEXTS)
    assert min(p.p_hate for p in preds[:2]) > max(p.p_hate for p in preds[2:])
    assert preds[1].severity == "threat"


def test_fp32_is_the_default_and_unchanged_by_loading_int8() -> None:
    load_classifier(quantize=True)
    plain = load_classifier()
    assert isinstance(plain, HateClassifier)
    assert not plain.embedder.name.endswith("+int8")
