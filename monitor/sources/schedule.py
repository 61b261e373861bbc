"""Source schedules: ``interval:15m`` / ``interval:2h`` / ``interval:1d`` or
``cron:*/30 * * * *`` (five crontab fields, UTC), turned into APScheduler triggers.

Kept apart from the scheduler so the CLI, config seeding and the sources page can validate a
schedule and compute "next run" without starting anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_INTERVAL = re.compile(r"^(\d+)\s*([smhd])$")
MIN_INTERVAL_S = 60  # politeness floor: no platform is polled more than once a minute
EXAMPLES = "interval:15m, interval:2h, interval:1d or cron:*/30 * * * *"


class ScheduleError(ValueError):
    """A schedule string that cannot be understood; the message says what would be."""


@dataclass(frozen=True, slots=True)
class Schedule:
    text: str
    interval: timedelta | None = None
    cron: str | None = None

    def trigger(self, *, jitter_s: int = 0, start: datetime | None = None) -> BaseTrigger:
        jitter = jitter_s or None
        if self.interval is not None:
            return IntervalTrigger(
                seconds=int(self.interval.total_seconds()),
                start_date=start,
                timezone=UTC,
                jitter=jitter,
            )
        return _cron(self.cron or "", jitter)

    def next_after(self, moment: datetime) -> datetime:
        """The first fire time strictly after ``moment`` (no jitter), for "next run" displays."""
        if self.interval is not None:
            return moment + self.interval
        trig = _cron(self.cron or "", None)
        nxt = trig.get_next_fire_time(None, moment + timedelta(seconds=1))
        assert nxt is not None
        return nxt  # type: ignore[no-any-return]

    def period(self, around: datetime) -> timedelta:
        """Typical gap between runs (for a cron, the gap after ``around``); sizes backoff."""
        if self.interval is not None:
            return self.interval
        first = self.next_after(around)
        return self.next_after(first) - first


def _cron(expr: str, jitter: int | None) -> CronTrigger:
    # Not CronTrigger.from_crontab: it cannot take a jitter. Note APScheduler numbers weekdays
    # from Monday=0; names (mon-sun) avoid the surprise and are what the README shows.
    minute, hour, day, month, dow = expr.split()
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=dow,
        timezone=UTC,
        jitter=jitter,
    )


def parse_schedule(text: str) -> Schedule:
    kind, sep, rest = text.strip().partition(":")
    rest = rest.strip()
    if not sep or kind not in ("interval", "cron") or not rest:
        raise ScheduleError(f"schedule {text!r} not understood; use {EXAMPLES}")
    if kind == "interval":
        m = _INTERVAL.match(rest.lower())
        if m is None:
            raise ScheduleError(
                f"schedule {text!r}: interval must be a number and a unit s, m, h or d "
                f"(e.g. interval:15m)"
            )
        seconds = int(m.group(1)) * _UNITS[m.group(2)]
        if seconds < MIN_INTERVAL_S:
            raise ScheduleError(
                f"schedule {text!r}: interval must be at least {MIN_INTERVAL_S}s "
                "(platforms are not polled more than once a minute)"
            )
        return Schedule(text=text, interval=timedelta(seconds=seconds))
    if len(rest.split()) != 5:
        raise ScheduleError(
            f"schedule {text!r}: a cron schedule needs five fields "
            "(minute hour day month weekday, UTC), e.g. cron:*/30 * * * *"
        )
    try:
        _cron(rest, None)
    except ValueError as err:
        raise ScheduleError(f"schedule {text!r}: {err}") from err
    return Schedule(text=text, cron=rest)
