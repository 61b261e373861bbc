"""Our realistic posts (``models/evalsets``), scored and ranked the way the queue would.

The measurement belongs to the monitor side because the ranking is the queue's own priority
formula with this installation's weights, not a re-implementation of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from models import evaluation as ev
from monitor.config import Settings
from monitor.review.priority import PriorityWeights, priority


def realistic_figures(clf: Any, settings: Settings, threshold: float,
                      path: Path = ev.REALISTIC) -> dict[str, Any]:
    """Realistic posts (the frozen set unless ``path`` says), scored by ``predict`` and ranked
    by the queue's formula."""
    posts = ev.read_realistic(path)
    preds = clf.predict([p.text for p in posts])
    weights = PriorityWeights.from_settings(settings)
    now = datetime.now(UTC)
    return ev.realistic_metrics(posts, preds, threshold,
                                rank=lambda pr: priority(pr, now, now, weights))
