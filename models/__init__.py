"""The classifier: embeddings, heads, training, evaluation and shipped artefacts."""

from __future__ import annotations

import threading
from pathlib import Path

from models.types import DEFAULT_STRANDS, SEVERITIES, Prediction, Scorer

__all__ = ["DEFAULT_STRANDS", "SEVERITIES", "Prediction", "Scorer", "default_artefact",
           "load_classifier"]

ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
_lock = threading.Lock()
_embedders: dict[str, object] = {}


def default_artefact() -> Path:
    """The shipped artefact directory named in ``models/artefacts/DEFAULT``."""
    marker = ARTEFACTS / "DEFAULT"
    if not marker.is_file():
        raise FileNotFoundError(f"{marker} is missing: no shipped classifier in this build")
    return ARTEFACTS / marker.read_text(encoding="utf-8").strip()


def load_classifier(path: str | None = None, embedder: str | None = None, *,
                    quantize: bool = False) -> Scorer:
    """The shipped classifier (or the artefact at ``path``), loaded offline and hash-checked.

    Embedders are shared per model directory so a live and a shadow model load it once.
    ``quantize``: the encoder's linear layers in dynamic int8 (``model.quantize``).
    """
    from models.classifier import HateClassifier
    from models.embedding import Embedder

    key = f"{embedder or ''}|{'int8' if quantize else 'fp32'}"
    with _lock:
        enc = _embedders.get(key)
        if enc is None:
            enc = Embedder(embedder or None, quantize=quantize)
            _embedders[key] = enc
    assert isinstance(enc, Embedder)
    return HateClassifier.load(Path(path) if path else default_artefact(), enc)
