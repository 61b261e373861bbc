"""The classifier: embeddings, heads, training, evaluation and shipped artefacts."""

from __future__ import annotations

from models.types import DEFAULT_STRANDS, SEVERITIES, Prediction, Scorer

__all__ = ["DEFAULT_STRANDS", "SEVERITIES", "Prediction", "Scorer", "load_classifier"]


def load_classifier(path: str | None = None, embedder: str | None = None) -> Scorer:
    """The shipped classifier (or the artefact at ``path``), loaded offline.

    Replaced by the classifier work (models/classifier.py); until then it says so plainly.
    """
    raise NotImplementedError("the classifier is not built yet: run 'hate-monitor train'")
