"""A stored priority taken apart adds up to itself, with a moderator boost as the remainder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.types import Prediction
from monitor.review.priority import PriorityWeights, parts, priority

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("severity,p", [("threat", 0.9), ("derogation", 0.6), ("none", 0.1)])
def test_parts_add_up(severity: str, p: float) -> None:
    w = PriorityWeights()
    posted = NOW - timedelta(hours=12)
    total = priority(Prediction(p, {}, severity), posted, NOW, w)
    pp = parts(total=total, p_hate=p, severity=severity, language_supported=True,
               posted_at=posted, queued_at=NOW, w=w)
    assert pp.hate + pp.severity + pp.recency + pp.threat == pytest.approx(total, abs=1e-5)
    assert abs(pp.moderator) < 1e-5
    names = [n for n, _ in pp.lines()]
    assert names[:3] == ["p(hate)", "Severity", "Recency"]
    assert ("Threat boost" in names) == (severity == "threat")
    assert "Moderator boost" not in names
    assert pp.describe().startswith(f"priority {total:.2f} = p(hate) +")


def test_moderator_boost_is_the_remainder() -> None:
    w = PriorityWeights()
    base = priority(Prediction(0.6, {}, "derogation"), NOW, NOW, w)
    pp = parts(total=base + 0.12, p_hate=0.6, severity="derogation", language_supported=True,
               posted_at=NOW, queued_at=NOW, w=w)
    assert ("Moderator boost", "+0.12") in pp.lines()


def test_unsupported_language() -> None:
    pp = parts(total=0.5, p_hate=0.5, severity="none", language_supported=False,
               posted_at=NOW, queued_at=NOW, w=PriorityWeights())
    assert pp.lines() == [("Language not supported", "0.50 (neutral priority)")]
