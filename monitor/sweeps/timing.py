"""When a source may run next: its schedule, a rate-limit deferral, and failure backoff.

Backoff doubles with each consecutive failure, in units of the source's own schedule period:
after 1 failure the normal schedule, after 2 every other run, after 3 every fourth... capped
(default 6 h), so a dead forum is not hammered but is still retried and recovers by itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from monitor.sources.schedule import ScheduleError, parse_schedule
from monitor.storage.tables.sources import Source


def backoff_delay(failures: int, period: timedelta, cap: timedelta) -> timedelta:
    if failures <= 1:
        return timedelta(0)
    doubled: timedelta = period * (2 ** min(failures - 1, 20))
    return min(cap, doubled)


def backoff_until(source: Source, cap: timedelta) -> datetime | None:
    """Until when a repeatedly failing source waits; None when it is not backing off."""
    if source.consecutive_failures <= 1 or source.last_error_at is None:
        return None
    try:
        period = parse_schedule(source.schedule).period(source.last_error_at)
    except ScheduleError:
        return None
    # Scheduled fires keep coming every period; holding until half a period before the
    # doubled delay skips exactly the fires the doubling asks for, whatever the jitter (< p/2).
    wait = backoff_delay(source.consecutive_failures, period, cap) - period / 2
    return source.last_error_at + wait if wait > timedelta(0) else None


def hold_reason(
    source: Source, now: datetime, cap: timedelta, *, backoff: bool = True
) -> str | None:
    """Why a due run should not sweep now (deferral or backoff), or None."""
    if source.deferred_until and source.deferred_until > now:
        return f"rate-limited until {source.deferred_until:%Y-%m-%d %H:%M:%S} UTC"
    until = backoff_until(source, cap) if backoff else None
    if until and until > now:
        return (
            f"backing off after {source.consecutive_failures} failures until "
            f"{until:%Y-%m-%d %H:%M:%S} UTC"
        )
    return None


def next_run(
    source: Source, last_start: datetime | None, now: datetime, cap: timedelta
) -> datetime | None:
    """Expected next sweep (without jitter); ``now`` when overdue; None if it cannot run."""
    try:
        schedule = parse_schedule(source.schedule)
    except ScheduleError:
        return None
    due = schedule.next_after(last_start) if last_start else now
    holds = [h for h in (source.deferred_until, backoff_until(source, cap)) if h is not None]
    return max([due, now, *holds])
