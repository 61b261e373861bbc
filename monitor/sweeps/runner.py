"""One guarded scheduled sweep: checks, lease, sweep, then whatever follows (alerts).

The order matters: the lawful-basis check comes first and its refusal is recorded (once per
change of reason, so a 15-minute schedule does not fill the history with the same line); a
rate-limit deferral or failure backoff skips quietly; then the per-source lease, so no two
workers ever sweep one source at once; the lease is renewed while the sweep runs and released
even on cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

import aiohttp

from connectors.base import Connector
from models.types import Scorer
from monitor.audit import chain as audit
from monitor.config import Settings
from monitor.sources.basis import basis_problem, basis_warning
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow
from monitor.sweeps.history import last_run, record_run
from monitor.sweeps.leases import release, renew, try_acquire, worker_id
from monitor.sweeps.settings import OpsSettings
from monitor.sweeps.sweep import SweepRefused, SweepResult, sweep_source
from monitor.sweeps.timing import hold_reason

log = logging.getLogger(__name__)

ResultHook = Callable[[SweepResult], Awaitable[None]]
ItemsHook = Callable[[list[int]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RunOutcome:
    status: str  # swept | busy | held | refused | disabled | missing | crashed
    result: SweepResult | None = None
    reason: str | None = None


def record_refusal(db: Database, source_id: int, reason: str, trigger: str, worker: str) -> bool:
    """History row + audit event when the refusal reason changed; True if recorded."""
    now = utcnow()
    with db.write() as session:
        src = session.get(Source, source_id)
        if src is None:
            return False
        last = last_run(session, source_id)
        if last is not None and last.outcome == "refused" and last.error == reason:
            return False
        record_run(
            session,
            source=src,
            outcome="refused",
            started_at=now,
            finished_at=now,
            error=reason,
            trigger=trigger,
            worker=worker,
        )
        audit.record(
            session,
            actor="system:scheduler",
            action="sweep.refused",
            object_type="source",
            object_id=source_id,
            reason=reason,
            details={"name": src.name},
        )
        return True


def _load(db: Database, source_id: int) -> Source | None:
    with db.read() as session:
        return session.get(Source, source_id)


class SweepRunner:
    """Runs one source's sweep the way the scheduler wants it run."""

    def __init__(
        self,
        *,
        db: Database,
        scorer: Scorer,
        http: aiohttp.ClientSession,
        settings: Settings,
        ops: OpsSettings | None = None,
        worker: str | None = None,
        connector_for: Callable[[Source], Connector | None] | None = None,
        on_result: ResultHook | None = None,
        on_page: ItemsHook | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.scorer = scorer
        self.http = http
        self.settings = settings
        self.ops = ops or OpsSettings.from_settings(settings)
        self.worker = worker or worker_id()
        self.connector_for = connector_for or (lambda _src: None)
        self.on_result = on_result
        # Run for each stored page's queue items while the sweep goes on (urgent alerts).
        self.on_page = on_page
        self.clock = clock
        self._warned: set[tuple[int, date]] = set()

    async def run(
        self, source_id: int, *, trigger: str = "schedule", force: bool = False
    ) -> RunOutcome:
        src = await self.db.run(_load, self.db, source_id)
        if src is None:
            return RunOutcome("missing", reason=f"source id {source_id} no longer exists")
        if not src.enabled:
            return RunOutcome("disabled", reason=f"source {src.name!r} is disabled")
        now = self.clock()
        problem = basis_problem(src, now.date())
        if problem:
            if await self.db.run(record_refusal, self.db, source_id, problem, trigger, self.worker):
                log.warning("source %s will not run: %s", src.name, problem)
            return RunOutcome("refused", reason=problem)
        self._warn_expiry(src, now.date())
        if not force:
            # A person asking for a run (trigger "manual") overrides failure backoff, never a
            # platform's rate-limit deferral.
            held = hold_reason(src, now, self.ops.backoff_cap, backoff=trigger != "manual")
            if held:
                log.debug("source %s skipped: %s", src.name, held)
                return RunOutcome("held", reason=held)
        ttl = self.ops.lease_ttl
        if not await self.db.run(try_acquire, self.db, source_id, self.worker, ttl):
            log.info("source %s is being swept by another worker; skipped", src.name)
            return RunOutcome("busy", reason="another worker holds this source's lease")
        try:
            return await self._sweep_leased(src, trigger=trigger, force=force)
        finally:
            await asyncio.shield(self.db.run(release, self.db, source_id, self.worker))

    async def _sweep_leased(self, src: Source, *, trigger: str, force: bool) -> RunOutcome:
        assert src.id is not None
        page_tasks: set[asyncio.Task[None]] = set()

        def page_stored(item_ids: list[int]) -> None:
            if self.on_page is not None:
                task = asyncio.ensure_future(self._guarded(self.on_page(item_ids), src.name))
                page_tasks.add(task)
                task.add_done_callback(page_tasks.discard)

        sweep = asyncio.ensure_future(
            sweep_source(
                self.db,
                self.scorer,
                self.http,
                src.name,
                settings=self.settings,
                connector=self.connector_for(src),
                force=force,
                trigger=trigger,
                worker=self.worker,
                on_page=page_stored,
            )
        )
        beat = asyncio.ensure_future(self._heartbeat(src, sweep))
        try:
            result = await sweep
        except SweepRefused as err:
            return RunOutcome("refused", reason=str(err))
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                sweep.cancel()
                raise
            return RunOutcome("crashed", reason="lost the source's lease mid-sweep")
        except Exception as err:  # a bug or a database failure: logged, history says "crashed"
            log.exception("sweep of %s crashed", src.name)
            return RunOutcome("crashed", reason=f"{type(err).__name__}: {err}")
        finally:
            beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beat
            if page_tasks:  # the per-page alerts finish with the sweep; on shutdown, cancelled
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    for task in page_tasks:
                        task.cancel()
                await asyncio.gather(*page_tasks, return_exceptions=True)
        if self.on_result is not None:
            try:
                await self.on_result(result)
            except Exception:  # alerts must never undo a stored sweep
                log.exception("after-sweep hook failed for %s", src.name)
        return RunOutcome("swept", result=result)

    @staticmethod
    async def _guarded(hook: Awaitable[None], name: str) -> None:
        try:
            await hook
        except Exception:  # alerts must never undo a stored sweep
            log.exception("after-page hook failed for %s", name)

    async def _heartbeat(self, src: Source, sweep: asyncio.Future[SweepResult]) -> None:
        assert src.id is not None
        interval = max(1.0, self.ops.lease_ttl.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            ok = await self.db.run(renew, self.db, src.id, self.worker, self.ops.lease_ttl)
            if not ok:
                # Another worker took the lease after ours expired: stop rather than overlap.
                log.error("lost the lease on source %s; stopping this sweep", src.name)
                sweep.cancel()
                return

    def _warn_expiry(self, src: Source, today: date) -> None:
        warning = basis_warning(src, today)
        key = (src.id or 0, today)
        if warning and key not in self._warned:
            self._warned.add(key)
            log.warning("source %s: %s; renew it to keep sweeping", src.name, warning)
