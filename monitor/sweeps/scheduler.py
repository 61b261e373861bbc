"""APScheduler (3.x) wiring: one job per enabled source, plus retention and the alert outbox.

The schedule lives in the database, so a restart keeps it: jobs are (re)built from the sources
table at start and every ``scheduler.resync_s`` seconds (and at once through ``resync()`` when
this process changes a source). An interval job keeps the phase of the source's last sweep;
a source that is overdue (never swept, or missed while no worker ran) gets one catch-up run
soon after start, staggered by its jitter: missed runs coalesce into one, never a burst.
Cross-process exclusion is the lease's job (monitor.sweeps.leases); APScheduler's
``max_instances=1`` only covers this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import col, select

from monitor.sources.schedule import ScheduleError, parse_schedule
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow
from monitor.sweeps.history import last_sweep_starts
from monitor.sweeps.leases import release, try_acquire
from monitor.sweeps.runner import RunOutcome, SweepRunner, record_refusal
from monitor.sweeps.settings import OpsSettings

log = logging.getLogger(__name__)

# Lease keys for jobs that must run in one worker at a time (sources use their positive ids).
RETENTION_LEASE = -1
OUTBOX_LEASE = -2

Task = Callable[[], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class JobPlan:
    source_id: int
    signature: tuple[str, int]
    trigger: BaseTrigger
    first_run: datetime | None  # set for a catch-up run; None lets the trigger decide


def plan_job(
    source: Source, last_start: datetime | None, now: datetime, rng: random.Random | None = None
) -> JobPlan:
    """The job for one source. Raises ScheduleError for a schedule that cannot be parsed."""
    schedule = parse_schedule(source.schedule)
    jitter = max(0, source.jitter_s)
    start = last_start if schedule.interval is not None and last_start else None
    trigger = schedule.trigger(jitter_s=jitter, start=start)
    overdue = last_start is None or schedule.next_after(last_start) <= now
    first = None
    if overdue:
        stagger = (rng or random).uniform(0, min(jitter, 300)) if jitter else 0.0
        first = now + timedelta(seconds=stagger)
    return JobPlan(source.id or 0, (source.schedule, jitter), trigger, first)


def _schedulable(db: Database) -> tuple[list[Source], dict[int, datetime]]:
    with db.read() as session:
        sources = list(session.exec(select(Source).where(col(Source.enabled))).all())
        return sources, last_sweep_starts(session)


class SweepScheduler:
    def __init__(
        self,
        *,
        db: Database,
        runner: SweepRunner,
        ops: OpsSettings,
        retention: Task | None = None,
        outbox: Task | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.runner = runner
        self.ops = ops
        self.clock = clock
        self._retention = retention
        self._outbox = outbox
        self._signatures: dict[int, tuple[str, int]] = {}
        self._bad_schedule: dict[int, str] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": ops.misfire_grace_s,
            },
        )

    async def start(self) -> None:
        self.scheduler.start()
        self.scheduler.add_job(
            self.resync,
            IntervalTrigger(seconds=self.ops.resync_s, timezone=UTC),
            id="resync",
            replace_existing=True,
        )
        if self._retention is not None:
            trig = parse_schedule(self.ops.retention_schedule).trigger(jitter_s=60)
            self.scheduler.add_job(
                self._exclusive,
                trig,
                args=[RETENTION_LEASE, self._retention],
                id="retention",
                replace_existing=True,
            )
        if self._outbox is not None:
            self.scheduler.add_job(
                self._exclusive,
                IntervalTrigger(seconds=self.ops.alert_outbox_s, timezone=UTC),
                args=[OUTBOX_LEASE, self._outbox],
                id="alert-outbox",
                replace_existing=True,
            )
        await self.resync()

    async def stop(self, grace_s: float = 10.0) -> None:
        """Start nothing new, let running sweeps finish for ``grace_s``, then cancel the rest
        (each releases its lease and records a "crashed" row; its stored cursor is kept)."""
        if not self.scheduler.running:
            return
        self.scheduler.pause()
        running = {t for t in self._running if not t.done()}
        if running:
            log.info("waiting up to %.0fs for %d running sweep(s)", grace_s, len(running))
            await asyncio.wait(running, timeout=grace_s)
        self.scheduler.shutdown(wait=False)
        left = {t for t in self._running if not t.done()}
        if left:
            await asyncio.wait(left, timeout=5.0)

    async def resync(self) -> None:
        """Bring the jobs in line with the sources table."""
        sources, starts = await self.db.run(_schedulable, self.db)
        now = self.clock()
        wanted: set[int] = set()
        for src in sources:
            sid = src.id or 0
            try:
                plan = plan_job(src, starts.get(sid), now)
            except ScheduleError as err:
                await self._bad(src, str(err))
                continue
            self._bad_schedule.pop(sid, None)
            wanted.add(sid)
            if self._signatures.get(sid) == plan.signature and self._job(sid) is not None:
                continue
            kwargs: dict[str, Any] = {}
            if plan.first_run is not None:
                kwargs["next_run_time"] = plan.first_run
            self.scheduler.add_job(
                self.run_source,
                plan.trigger,
                args=[sid, "catch-up" if plan.first_run else "schedule"],
                id=f"sweep:{sid}",
                name=f"sweep {src.name}",
                replace_existing=True,
                **kwargs,
            )
            self._signatures[sid] = plan.signature
            log.info("scheduled source %s (%s)", src.name, src.schedule)
        for sid in set(self._signatures) - wanted:
            self._signatures.pop(sid, None)
            with contextlib.suppress(JobLookupError):
                self.scheduler.remove_job(f"sweep:{sid}")
            log.info("unscheduled source id %s (disabled, removed or bad schedule)", sid)

    async def run_source(self, source_id: int, trigger: str = "schedule") -> RunOutcome:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        outcome = await self.runner.run(source_id, trigger=trigger)
        if trigger == "catch-up":
            job = self._job(source_id)
            if job is not None:  # later fires of this job are ordinary scheduled runs
                job.modify(args=[source_id, "schedule"])
        return outcome

    def run_now(self, source_id: int) -> None:
        """The sources page's "run now": a one-off run beside the schedule (leases prevent
        overlap with a scheduled run elsewhere)."""
        self.scheduler.add_job(
            self.run_source,
            "date",
            run_date=self.clock(),
            args=[source_id, "manual"],
            id=f"now:{source_id}",
            replace_existing=True,
        )

    def next_runs(self) -> dict[int, datetime | None]:
        out: dict[int, datetime | None] = {}
        for sid in self._signatures:
            job = self._job(sid)
            out[sid] = None if job is None else job.next_run_time
        return out

    def _job(self, source_id: int) -> Any:
        return self.scheduler.get_job(f"sweep:{source_id}")

    async def _bad(self, src: Source, problem: str) -> None:
        sid = src.id or 0
        if self._bad_schedule.get(sid) != problem:
            self._bad_schedule[sid] = problem
            log.error("source %s is not scheduled: %s", src.name, problem)
            await self.db.run(record_refusal, self.db, sid, problem, "schedule", self.runner.worker)

    async def _exclusive(self, key: int, task: Task) -> None:
        """Run a housekeeping task in one worker at a time."""
        holder = self.runner.worker
        if not await self.db.run(try_acquire, self.db, key, holder, self.ops.lease_ttl):
            return
        try:
            await task()
        except Exception:
            log.exception("scheduled task (lease %s) failed", key)
        finally:
            await self.db.run(release, self.db, key, holder)
