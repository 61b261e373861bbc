"""The contract between the classifier and the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypedDict

# Ordered from most to least urgent; the pipeline's priority formula relies on this order.
SEVERITIES: tuple[str, ...] = ("threat", "dehumanisation", "derogation", "none")

DEFAULT_STRANDS: tuple[str, ...] = (
    "race",
    "religion",
    "sexual_orientation",
    "disability",
    "transgender",
    "sex_gender",
    "other",
)

# Below this, no strand is named: the post targets no protected group clearly enough to say
# which (the shipped classifier reports p(about the group) × p(hate), see ``models.gating``).
TOP_STRAND_MIN = 0.2
# What runs the encoder (``model.backend``): ONNX Runtime (the same vectors, faster on CPU) or
# PyTorch itself.
ENCODER_BACKENDS: tuple[str, ...] = ("onnx", "torch")


class EncoderOptions(TypedDict):
    """How the configured encoder runs (``model.quantize``, ``model.backend``), as
    ``models.load_classifier`` takes them."""

    quantize: bool
    backend: str


# The strand of a threat whose target group cannot be inferred (a neighbour, a councillor): it
# is still a possible crime and still counted, as "target unknown".
UNKNOWN_STRAND = "unknown"


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's view of one post. It ranks; a person decides."""

    p_hate: float
    strands: dict[str, float]
    severity: str
    language: str | None = None
    language_supported: bool = True
    explanation: dict[str, Any] = field(default_factory=dict)

    @property
    def top_strand(self) -> str | None:
        """The most likely targeted group; when no strand reaches ``TOP_STRAND_MIN``,
        ``UNKNOWN_STRAND`` for a threat and None otherwise."""
        top = max(self.strands, key=lambda k: self.strands[k]) if self.strands else None
        if top is not None and self.strands[top] >= TOP_STRAND_MIN:
            return top
        return UNKNOWN_STRAND if self.severity == "threat" else None


class Scorer(Protocol):
    """Anything that scores texts: the shipped classifier, a shadow model, a test fake."""

    @property
    def model_version(self) -> str: ...

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...
