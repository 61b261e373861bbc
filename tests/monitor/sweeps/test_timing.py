"""Schedules, catch-up planning, backoff and "next run" -- all with explicit clocks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.sources.schedule import ScheduleError, parse_schedule
from monitor.storage.tables.sources import Source
from monitor.sweeps.scheduler import plan_job
from monitor.sweeps.timing import backoff_delay, backoff_until, hold_reason, next_run

T0 = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def src(**kw: Any) -> Source:
    base: dict[str, Any] = {"id": 1, "name": "town", "connector": "mastodon", "target": "t"}
    return Source(**(base | kw))


@pytest.mark.parametrize(
    ("text", "gap"),
    [("interval:15m", 900), ("interval:2h", 7200), ("interval:1d", 86400), ("interval: 90s", 90)],
)
def test_intervals(text: str, gap: int) -> None:
    s = parse_schedule(text)
    assert s.next_after(T0) == T0 + timedelta(seconds=gap)
    trig = s.trigger(start=T0)
    assert trig.get_next_fire_time(None, T0 + timedelta(seconds=1)) == T0 + timedelta(seconds=gap)


def test_cron_fires_on_the_half_hour_utc() -> None:
    s = parse_schedule("cron:*/30 * * * *")
    assert s.next_after(T0) == T0 + timedelta(minutes=30)
    assert s.period(T0) == timedelta(minutes=30)
    trig = s.trigger()
    first = trig.get_next_fire_time(None, T0 + timedelta(minutes=1))
    assert first == T0 + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("every 15 minutes", "not understood; use interval:15m"),
        ("interval:15", "a number and a unit s, m, h or d"),
        ("interval:10s", "at least 60s"),
        ("cron:*/5 * *", "needs five fields"),
        ("cron:61 * * * *", "61"),
    ],
)
def test_bad_schedules_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        parse_schedule(text)


def test_never_swept_source_gets_a_staggered_catch_up_run() -> None:
    plan = plan_job(src(schedule="interval:15m", jitter_s=60), None, T0, random.Random(1))
    assert plan.first_run is not None and T0 <= plan.first_run <= T0 + timedelta(seconds=60)


def test_restart_keeps_the_phase_of_the_last_sweep() -> None:
    last = T0 - timedelta(minutes=5)
    plan = plan_job(src(schedule="interval:15m", jitter_s=0), last, T0)
    assert plan.first_run is None
    assert plan.trigger.get_next_fire_time(None, T0) == last + timedelta(minutes=15)


def test_missed_runs_coalesce_into_one_catch_up() -> None:
    # Worker down for 3 hours on a 15-minute schedule: one run now, not twelve.
    plan = plan_job(src(schedule="interval:15m", jitter_s=0), T0 - timedelta(hours=3), T0)
    assert plan.first_run == T0


def test_backoff_doubles_in_schedule_periods_and_is_capped() -> None:
    p, cap = timedelta(minutes=15), timedelta(hours=6)
    assert [backoff_delay(n, p, cap) for n in (1, 2, 3, 4)] == [timedelta(0), 2 * p, 4 * p, 8 * p]
    assert backoff_delay(30, p, cap) == cap


def test_failing_source_is_held_then_released() -> None:
    cap = timedelta(hours=6)
    s = src(schedule="interval:15m", consecutive_failures=3, last_error_at=T0)
    until = backoff_until(s, cap)
    assert until == T0 + timedelta(minutes=60 - 7.5)
    assert "backing off after 3 failures" in (hold_reason(s, T0 + timedelta(minutes=15), cap) or "")
    assert "backing off" in (hold_reason(s, T0 + timedelta(minutes=45), cap) or "")
    assert hold_reason(s, T0 + timedelta(minutes=60), cap) is None
    # A person's "run now" overrides backoff.
    assert hold_reason(s, T0 + timedelta(minutes=15), cap, backoff=False) is None


def test_rate_limit_deferral_holds_even_a_manual_run() -> None:
    s = src(deferred_until=T0 + timedelta(minutes=2))
    assert "rate-limited until" in (hold_reason(s, T0, timedelta(hours=6), backoff=False) or "")
    assert hold_reason(s, T0 + timedelta(minutes=3), timedelta(hours=6)) is None


def test_next_run_accounts_for_schedule_deferral_and_overdue() -> None:
    cap = timedelta(hours=6)
    s = src(schedule="interval:15m")
    assert next_run(s, T0 - timedelta(minutes=5), T0, cap) == T0 + timedelta(minutes=10)
    assert next_run(s, None, T0, cap) == T0
    s.deferred_until = T0 + timedelta(hours=1)
    assert next_run(s, T0 - timedelta(minutes=5), T0, cap) == T0 + timedelta(hours=1)
    assert next_run(src(schedule="nonsense"), None, T0, cap) is None
