"""Our realistic posts (``models/evalsets``), scored and ranked the way the queue would.

The measurement belongs to the monitor side because the ranking is the queue's own priority
formula with this installation's weights, not a re-implementation of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models import evaluation as ev
from monitor.config import Settings
from monitor.review.priority import PriorityWeights, priority


def realistic_figures(clf: Any, settings: Settings, threshold: float,
                      paths: Sequence[Path] = (ev.REALISTIC,)) -> dict[str, Any]:
    """Realistic posts (the frozen set unless ``paths`` says), scored by ``predict`` and ranked
    by the queue's formula. Several files are one set; each file's queue is reported too, so
    a figure measured on one of them before stays comparable."""
    posts = ev.read_realistic(*paths)
    preds = clf.predict([p.text for p in posts])
    weights = PriorityWeights.from_settings(settings)
    now = datetime.now(UTC)

    def measured(keep: Sequence[int]) -> dict[str, Any]:
        return ev.realistic_metrics([posts[i] for i in keep], [preds[i] for i in keep],
                                    threshold, rank=lambda pr: priority(pr, now, now, weights))

    out = measured(range(len(posts)))
    if len(paths) > 1:
        out["files"] = {}
        for name in dict.fromkeys(p.file for p in posts):
            one = measured([i for i, p in enumerate(posts) if p.file == name])
            out["files"][name] = {"n": one["n"], "queue": one["queue"], "threat": one["threat"],
                                  "hate_roc_auc": one["hate"]["roc_auc"]}
    return out
