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
                    quantize: bool = False, backend: str = "onnx") -> Scorer:
    """The shipped classifier (or the artefact at ``path``), loaded offline and hash-checked.

    Embedders are shared per model directory so a live and a shadow model load it once.
    ``quantize``: the encoder's matrix products in dynamic int8 (``model.quantize``);
    ``backend``: what runs the encoder, "onnx" or "torch" (``model.backend``).
    """
    from models import artefact
    from models.classifier import HateClassifier
    from models.embedding import Embedder
    from models.tuning import adapter_id

    directory = Path(path) if path else default_artefact()
    # Build the encoder with the artefact's adapter merged from the start: loading the plain
    # encoder first and then an adapted copy loaded the sentence-transformers model twice per
    # command. ``HateClassifier.load`` still verifies the manifest (adapter included) and
    # re-merges if what it verified differs from what was read here.
    adapter = artefact.read_adapter(directory)
    key = (embedder or "") + (f"|{adapter_id(adapter)}" if adapter else "") + \
        ("|int8" if quantize else "") + f"|{backend}"
    with _lock:
        enc = _embedders.get(key)
        if enc is None:
            enc = Embedder(embedder or None, adapter=adapter, quantize=quantize,
                           backend=backend)
            _embedders[key] = enc
    assert isinstance(enc, Embedder)
    return HateClassifier.load(directory, enc)
