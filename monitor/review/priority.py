"""The queue's priority formula, in one place so it can be documented and tested.

    priority = w_hate * p_hate
             + w_severity * severity_rank
             + w_recency * 0.5 ** (age_hours / half_life_hours)
             + threat_boost   if severity == "threat" and p_hate >= threat_min_p (0 by default:
                                every threat the model flags, whoever it targets)

severity_rank is 1.0 for a threat, 2/3 for dehumanisation, 1/3 for derogation and 0 for none;
age is measured from the post's creation to the moment it is queued. Posts in a language the
model does not read get ``priority.unsupported_language`` instead of a confident low score.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.types import SEVERITIES, Prediction
from monitor.config import Settings

SEVERITY_RANK = {
    name: (len(SEVERITIES) - 1 - i) / (len(SEVERITIES) - 1) for i, name in enumerate(SEVERITIES)
}


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    hate: float = 0.6
    severity: float = 0.3
    recency: float = 0.1
    half_life_hours: float = 24.0
    threat_boost: float = 1.0
    threat_min_p: float = 0.0
    unsupported_language: float = 0.5

    @classmethod
    def from_settings(cls, settings: Settings) -> PriorityWeights:
        return cls(
            hate=settings["priority.weight_hate"],
            severity=settings["priority.weight_severity"],
            recency=settings["priority.weight_recency"],
            half_life_hours=settings["priority.recency_half_life_hours"],
            threat_boost=settings["priority.threat_boost"],
            threat_min_p=settings["priority.threat_min_p"],
            unsupported_language=settings["priority.unsupported_language"],
        )


def priority(pred: Prediction, created_at: datetime, now: datetime, w: PriorityWeights) -> float:
    if not pred.language_supported:
        return w.unsupported_language
    age_hours = max(0.0, (now - created_at).total_seconds() / 3600.0)
    recency: float = 0.5 ** (age_hours / w.half_life_hours)
    value = (
        w.hate * pred.p_hate
        + w.severity * SEVERITY_RANK.get(pred.severity, 0.0)
        + w.recency * recency
    )
    if pred.severity == "threat" and pred.p_hate >= w.threat_min_p:
        value += w.threat_boost
    return round(float(value), 6)
