"""The models layer keeps its own copy of the queue's order (``models.evaluation.queue_rank``),
because it may not import ``monitor``: training chooses the threat threshold with it. The copy
must order posts exactly as the queue's default priority does, or a threshold would be chosen
for a queue nobody runs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from models import evaluation as ev
from models.types import SEVERITIES, Prediction
from monitor.review.priority import PriorityWeights, priority

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
PREDICTIONS = [Prediction(p, {}, severity)
               for p, severity in itertools.product((0.0, 0.03, 0.2, 0.5, 0.51, 0.97, 1.0),
                                                    SEVERITIES)]


def test_the_models_copy_is_the_default_priority_at_equal_age() -> None:
    w = PriorityWeights()
    for pred in PREDICTIONS:
        # At equal age every post gets the same recency term; nothing else may differ.
        assert priority(pred, NOW, NOW, w) - w.recency == pytest.approx(ev.queue_rank(pred),
                                                                        abs=1e-6), pred


def test_both_put_any_threat_above_everything_unmarked() -> None:
    w = PriorityWeights()
    threats = [p for p in PREDICTIONS if p.severity == "threat"]
    others = [p for p in PREDICTIONS if p.severity != "threat"]
    assert min(ev.queue_rank(p) for p in threats) > max(ev.queue_rank(p) for p in others)
    assert (min(priority(p, NOW, NOW, w) for p in threats)
            > max(priority(p, NOW, NOW, w) for p in others))
