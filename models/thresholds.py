"""The threat threshold, chosen on posts that are neither trained on nor used to judge.

Training fixes every weight; this picks one number afterwards: the highest p(threat) threshold
that still marks a target share of the development set's threats (``models/evalsets/
realistic_dev.jsonl``, written by an independent writer). A missed threat is the failure an
officer cannot afford, so the rule is set by recall; the precision it costs is reported beside
it, never traded silently. The frozen realistic set is never used here: it stays the judge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Below the floor nearly everything violent-sounding would be marked, and the queue's top would
# fill with sport and idioms; above the ceiling the threat head would wait for certainty.
FLOOR = 0.1
CEILING = 0.5


@dataclass(frozen=True, slots=True)
class ThreatThreshold:
    threshold: float
    target_recall: float
    recall: float  # on the development posts, at ``threshold``
    precision: float | None  # None when nothing is marked
    threats: int
    posts: int

    def as_dict(self) -> dict[str, float | int | None]:
        return {"threshold": self.threshold, "target_recall": self.target_recall,
                "recall": self.recall, "precision": self.precision, "threats": self.threats,
                "posts": self.posts}


def choose_threat_threshold(p_threat: Sequence[float], is_threat: Sequence[int],
                            target_recall: float) -> ThreatThreshold:
    """The highest threshold in [FLOOR, CEILING] marking at least ``target_recall`` of the
    threats (the floor when even it falls short)."""
    if not 0.0 < target_recall <= 1.0:
        raise ValueError(f"target recall {target_recall}: must be above 0 and at most 1")
    if len(p_threat) != len(is_threat):
        raise ValueError("one p(threat) per post is needed")
    scores = sorted((float(p) for p, t in zip(p_threat, is_threat, strict=True) if t),
                    reverse=True)
    if not scores:
        raise ValueError("the development posts hold no threats to choose a threshold on")
    # The k-th highest threat score marks exactly k threats (ties mark more).
    kth = scores[math.ceil(target_recall * len(scores)) - 1]
    # Rounded down, so the stored (rounded) threshold still marks that post.
    threshold = min(CEILING, max(FLOOR, math.floor(kth * 1e4) / 1e4))
    marked = [float(p) >= threshold for p in p_threat]
    hits = sum(1 for m, t in zip(marked, is_threat, strict=True) if m and t)
    return ThreatThreshold(
        threshold=threshold, target_recall=target_recall,
        recall=round(hits / len(scores), 4),
        precision=round(hits / sum(marked), 4) if any(marked) else None,
        threats=len(scores), posts=len(p_threat))
