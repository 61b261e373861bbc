"""The contract between the classifier and the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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
        """The most likely targeted group, or None when no strand reaches ``TOP_STRAND_MIN``."""
        if not self.strands:
            return None
        top = max(self.strands, key=lambda k: self.strands[k])
        return top if self.strands[top] >= TOP_STRAND_MIN else None


class Scorer(Protocol):
    """Anything that scores texts: the shipped classifier, a shadow model, a test fake."""

    @property
    def model_version(self) -> str: ...

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...
