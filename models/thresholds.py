"""The threat threshold, chosen on posts that are neither trained on nor used to judge.

Training fixes every weight; this picks one number afterwards, on the development posts
(``models.evaluation.DEVELOPMENT``: a file by an independent writer that no run trains on):
the p(threat) threshold that puts the most of their threats within the first
(threats + 5) places of the queue, the measure an officer feels. A threshold set too high
leaves threats unmarked and below chatter; one set too low marks sport and idioms as threats
and pushes real ones down. Ties go to the better queue order (ROC-AUC), then to the lower
threshold (a missed threat is the worse failure). The frozen realistic sets are never used
here: they stay the judges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from models.evaluation import RealisticPost, realistic_metrics
from models.types import Prediction

# Every hundredth from 0.10 to 0.50. Below, nearly everything violent-sounding is marked; above,
# the threat head would wait for certainty.
GRID: tuple[float, ...] = tuple(round(0.10 + 0.01 * i, 2) for i in range(41))


class _Tunable(Protocol):
    options: Any

    def predict(self, texts: Sequence[str]) -> list[Prediction]: ...


@dataclass(frozen=True, slots=True)
class ThreatThreshold:
    threshold: float
    threats_within_first_n_plus_5: int  # on the development posts, at ``threshold``
    threats: int
    queue_roc_auc: float | None
    recall: float | None
    precision: float | None
    posts: int

    def as_dict(self) -> dict[str, Any]:
        return {"threshold": self.threshold, "rule": "most threats within the first "
                "(threats + 5) places of the development posts' queue, then queue ROC-AUC, "
                "then the lower threshold",
                "threats_within_first_n_plus_5": self.threats_within_first_n_plus_5,
                "threats": self.threats, "queue_roc_auc": self.queue_roc_auc,
                "recall": self.recall, "precision": self.precision, "posts": self.posts}


def choose_threat_threshold(model: _Tunable, posts: Sequence[RealisticPost],
                            grid: Sequence[float] = GRID) -> ThreatThreshold:
    """Set ``model.options.threat_threshold`` to the best of ``grid`` on ``posts``; say how
    it did there. The posts are scored by ``predict`` (the encoder's cache makes every pass
    after the first cheap) and ranked by the queue's default formula."""
    if not any(p.threat for p in posts):
        raise ValueError("the development posts hold no threats to choose a threshold on")
    if not grid or not all(0.0 < t < 1.0 for t in grid):
        raise ValueError(f"threat threshold grid {list(grid)!r}: values between 0 and 1")
    texts = [p.text for p in posts]
    best: tuple[tuple[int, float, float], ThreatThreshold] | None = None
    for t in sorted(grid):
        model.options = replace(model.options, threat_threshold=t)
        m = realistic_metrics(posts, model.predict(texts), model.options.threshold)
        q, th = m["queue"], m["threat"]
        found = ThreatThreshold(t, q["threats_within_first_n_plus_5"], q["threats"],
                                q["roc_auc"], th["recall"], th["precision"], len(posts))
        key = (found.threats_within_first_n_plus_5, found.queue_roc_auc or 0.0, -t)
        if best is None or key > best[0]:
            best = (key, found)
    assert best is not None  # the grid is not empty
    model.options = replace(model.options, threat_threshold=best[1].threshold)
    return best[1]
