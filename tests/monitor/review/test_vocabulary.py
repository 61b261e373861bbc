"""One vocabulary of human labels, used by pages, charts, CSV and reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.review import vocabulary


def test_labels_and_fallbacks() -> None:
    assert vocabulary.label("case_status", "closed_nfa") == "Closed, no further action"
    assert vocabulary.label("outcome", "possible_crime") == "Possible crime (escalate)"
    assert vocabulary.label("strand", "sexual_orientation") == "Sexual orientation"
    assert vocabulary.label("strand", "unknown") == "Target unknown"
    # A force's own strand has no label: readable, never a crash.
    assert vocabulary.label("strand", "alternative_subculture") == "Alternative subculture"
    assert vocabulary.label("strand", None) == "-"
    with pytest.raises(KeyError):
        vocabulary.label("nonsense", "x")


def test_times_to_the_second_with_zone() -> None:
    t = datetime(2026, 11, 1, 12, 3, 4, 987654, tzinfo=UTC)
    assert vocabulary.when(t) == "2026-11-01 12:03:04 UTC"
    assert vocabulary.when(t.replace(tzinfo=None)) == "2026-11-01 12:03:04 UTC"


def test_why_flagged_uses_labels() -> None:
    from monitor.review.queue import why_flagged

    line = why_flagged({"summary": "p(hate) 0.83; against sexual_orientation (0.70)"},
                       "threat", "sexual_orientation", 0.83)
    assert line == "p(hate) 0.83; against Sexual orientation (0.70)"
    assert why_flagged({}, "derogation", "religion", 0.7) == "Derogation, Religion or belief"
