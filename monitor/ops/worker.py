"""Starting the scheduler: inside ``hate-monitor serve`` or as a ``hate-monitor worker``.

``run_scheduler`` is what both call: it seeds sources from config.toml, wires the sweep runner
to the urgent-alert check, adds the retention and alert-outbox jobs, and starts the jobs. The
caller owns the database, the classifier and the one ``aiohttp.ClientSession`` of the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from connectors.base import Connector
from models.types import Scorer
from monitor.alerts.config import load_alert_config
from monitor.alerts.dispatch import dispatch
from monitor.config import Settings, public_base_url
from monitor.http_session import client_session
from monitor.ingest.backlog import scoring_loop
from monitor.intake.notices import send_moderator_notices
from monitor.ops.retention import apply_retention
from monitor.review.priority import PriorityWeights
from monitor.sources.declared import seed_sources
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.sweeps.leases import worker_id
from monitor.sweeps.runner import SweepRunner
from monitor.sweeps.scheduler import SweepScheduler
from monitor.sweeps.settings import OpsSettings
from monitor.sweeps.sweep import SweepResult

log = logging.getLogger(__name__)


@dataclass
class SchedulerHandle:
    """What the web app (or the worker) keeps: stop it, resync it, ask for a run now."""

    scheduler: SweepScheduler | None

    @property
    def running(self) -> bool:
        return self.scheduler is not None and self.scheduler.scheduler.running

    async def stop(self) -> None:
        if self.scheduler is not None:
            await self.scheduler.stop()

    async def resync(self) -> None:
        """Call after changing a source in this process; other processes resync periodically."""
        if self.scheduler is not None:
            await self.scheduler.resync()

    def run_now(self, source_id: int) -> bool:
        if self.scheduler is None:
            return False
        self.scheduler.run_now(source_id)
        return True

    def next_runs(self) -> dict[int, datetime | None]:
        return {} if self.scheduler is None else self.scheduler.next_runs()


def urgent_alerts(settings: Settings, db: Database, http: aiohttp.ClientSession
                  ) -> Callable[[list[int]], Awaitable[None]]:
    """Send the due urgent alerts among freshly stored queue items (a sweep's page, a worker's
    scored batch) at once, rather than at the next outbox run."""
    alert_cfg = load_alert_config(settings)
    base_url = public_base_url(settings)

    async def send(item_ids: list[int]) -> None:
        if alert_cfg.channels:
            await dispatch(db, http, alert_cfg, base_url=base_url, item_ids=item_ids)

    return send


async def run_scheduler(
    settings: Settings,
    db: Database,
    scorer: Scorer,
    http: aiohttp.ClientSession,
    *,
    role: str = "serve",
    connector_for: Callable[[Source], Connector | None] | None = None,
) -> SchedulerHandle:
    """Start the sweep scheduler; with ``role="serve"`` only if ``scheduler.enabled``."""
    ops = OpsSettings.from_settings(settings)
    if role == "serve" and not ops.enabled_in_serve:
        log.info("scheduler disabled in serve (scheduler.enabled = false); run a worker")
        return SchedulerHandle(None)
    alert_cfg = load_alert_config(settings)
    for line in await db.run(seed_sources, db, settings):
        log.info("%s", line)
    base_url = public_base_url(settings)

    # Each page's threats go out as soon as the page is stored; after_sweep then finds them
    # already sent (a delivery is claimed once per item and channel).
    after_page = urgent_alerts(settings, db, http)

    async def after_sweep(result: SweepResult) -> None:
        await after_page(result.queue_item_ids)

    async def retention() -> None:
        days = int(settings["retention.dismissed_days"])
        await db.run(apply_retention, db, days=days)

    async def outbox() -> None:
        await dispatch(db, http, alert_cfg, base_url=base_url)
        if alert_cfg.email is not None:
            await db.run(send_moderator_notices, db, alert_cfg.email, base_url=base_url)

    runner = SweepRunner(
        db=db,
        scorer=scorer,
        http=http,
        settings=settings,
        ops=ops,
        connector_for=connector_for,
        on_result=after_sweep,
        on_page=after_page,
    )
    sched = SweepScheduler(
        db=db,
        runner=runner,
        ops=ops,
        retention=retention,
        outbox=outbox if alert_cfg.channels else None,
    )
    await sched.start()
    log.info("scheduler started (%s) as %s", role, runner.worker)
    return SchedulerHandle(sched)


async def worker_main(
    settings: Settings, db: Database, scorer: Scorer, stop: asyncio.Event | None = None
) -> None:
    """Run the scheduler until SIGTERM/SIGINT (or ``stop`` is set), then shut down cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # Not available off the main thread (tests drive ``stop`` instead).
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with client_session(settings) as http:
        handle = await run_scheduler(settings, db, scorer, http, role="worker")
        # Every worker also scores the backlog that deferred sweeps and imports leave; claims in
        # the database mean no capture is scored twice, however many workers run.
        scoring = asyncio.create_task(
            scoring_loop(
                db, scorer, stop=stop, worker_id=worker_id(),
                batch_size=settings["scoring.batch_size"], idle_sleep=2.0,
                weights=PriorityWeights.from_settings(settings),
                on_scored=urgent_alerts(settings, db, http),
            )
        )
        try:
            await stop.wait()
        finally:
            log.info("worker stopping")
            await handle.stop()
            await scoring
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
