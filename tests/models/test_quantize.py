"""How the encoder runs: ``model.backend`` (ONNX Runtime or PyTorch) and ``model.quantize``."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from models import load_classifier, onnx_encoder
from models.classifier import HateClassifier
from models.embedding import Embedder, EmbeddingError

pytestmark = pytest.mark.model

TEXTS = ["Refugees are vermin and should be driven out of our town",
         "I'm going to burn down that mosque with the Muslims inside",
         "The bin collection has moved to Thursday this week",
         "Great turnout at the community football match on Sunday",
         # Longer than the encoder's 256 tokens: truncated the same way on both backends.
         "word " * 400,
         "x"]


def _loaded(**options: object) -> HateClassifier:
    clf = load_classifier(**options)  # type: ignore[arg-type]
    assert isinstance(clf, HateClassifier)
    return clf


def test_onnx_gives_the_vectors_pytorch_gives() -> None:
    """The default backend: same weights (adapter merged), same tokens, same pooling."""
    onnx, torch = _loaded(), _loaded(backend="torch")
    assert onnx.embedder.name == torch.embedder.name  # one cache: the vectors are the same
    a = onnx.embedder.encode_uncached(TEXTS)
    b = torch.embedder.encode_uncached(TEXTS)
    assert float(np.abs(a - b).max()) < 1e-5
    assert [p.p_hate for p in onnx.predict(TEXTS)] == pytest.approx(
        [p.p_hate for p in torch.predict(TEXTS)], abs=1e-3)


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_quantised_encoder_is_a_separate_model_close_to_fp32(backend: str) -> None:
    plain = _loaded(backend=backend)
    int8 = _loaded(quantize=True, backend=backend)  # no warning escapes (warnings fail)
    suffix = "+onnx-int8" if backend == "onnx" else "+int8"
    assert int8.embedder.name == plain.embedder.name + suffix  # caches kept apart
    a = plain.embedder.encode(TEXTS[:4])
    b = int8.embedder.encode(TEXTS[:4])
    assert float(np.min(np.sum(a * b, axis=1))) > 0.9
    preds = int8.predict(TEXTS[:4])
    assert min(p.p_hate for p in preds[:2]) > max(p.p_hate for p in preds[2:])
    assert preds[1].severity == "threat"


def test_fp32_is_the_default_and_unchanged_by_loading_int8() -> None:
    _loaded(quantize=True)
    plain = _loaded()
    assert not plain.embedder.name.endswith("int8")
    assert plain.embedder.backend == "onnx"


def test_a_model_onnx_cannot_run_falls_back_to_pytorch_and_says_so(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def unsupported(st: object) -> None:
        raise onnx_encoder.OnnxUnsupported("modules ['Transformer', 'Dense']: only ...")

    monkeypatch.setattr(onnx_encoder, "check", unsupported)
    with caplog.at_level(logging.WARNING):
        enc = Embedder(quantize=True)
    assert enc.backend == "torch" and enc.name.endswith("+int8")
    assert "runs on PyTorch" in caplog.text
    assert enc.encode(TEXTS[:1]).shape == (1, enc.dimension)


def test_an_unknown_backend_is_a_clear_error() -> None:
    with pytest.raises(EmbeddingError, match=r"model\.backend must be one of onnx, torch"):
        Embedder(backend="tensorflow")
