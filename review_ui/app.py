"""The application factory: one app object for ``hate-monitor serve`` and for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from connectors.post import Post
from connectors.resolve.hosts import Resolver, system_resolve
from models.types import Scorer
from monitor.accounts.throttle import LoginThrottle
from monitor.classifier.versions import live_scorer, open_queue_versions, ranked_by_others
from monitor.config import Settings
from monitor.http_session import make_client_session
from monitor.intake.canonical import fetch_canonical
from monitor.intake.reports import CanonicalFetcher
from monitor.ops.worker import SchedulerHandle, run_scheduler
from monitor.reporting.metrics import MetricsCache
from monitor.storage.db import Database
from review_ui import keys
from review_ui.access import ROUTE_ROLES
from review_ui.middlewares import auth, errors, request_id, security_headers
from review_ui.render import make_env
from review_ui.routes import ROUTES
from review_ui.views.metrics import TOKEN_ENV as METRICS_TOKEN_ENV
from review_ui.views.sources import stop_sweeps

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


# Moderators may attach up to five 5 MB screenshots to one report.
MAX_REQUEST_BYTES = 32 * 1024 * 1024


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    scorer: Scorer | None = None,
    scheduler: bool = False,
) -> web.Application:
    """The one application object. ``scheduler=True`` (``hate-monitor serve``) also runs the
    sweep scheduler in this process when ``scheduler.enabled`` is on."""
    app = web.Application(
        middlewares=[request_id, errors, auth], client_max_size=MAX_REQUEST_BYTES
    )
    app[keys.SETTINGS] = settings
    app[keys.JINJA] = make_env()
    app[keys.THROTTLE] = LoginThrottle()
    app[keys.MODEL] = keys.ModelSlot(scorer=scorer)
    if db is not None:
        app[keys.DB] = db  # the caller owns it (tests, the CLI); otherwise opened at startup
    app[keys.INTAKE] = keys.IntakeHooks()
    app[keys.METRICS_TOKEN] = os.environ.get(METRICS_TOKEN_ENV, "").strip()
    app[keys.METRICS_CACHE] = MetricsCache()
    app[keys.SWEEPS] = {}
    app.on_response_prepare.append(security_headers)
    app.on_shutdown.append(stop_sweeps)

    roles: dict[web.AbstractRoute, frozenset[str]] = {}
    for route in ROUTES:
        registered = app.router.add_route(route.method, route.path, route.handler,
                                          name=route.name)
        roles[registered] = route.roles
    app[ROUTE_ROLES] = roles
    app.router.add_static("/static", STATIC, name="static", append_version=True)

    app.cleanup_ctx.append(_database(db))
    app.cleanup_ctx.append(_http_session)
    app.on_startup.append(install_canonical_fetch)  # after cleanup_ctx: the session exists
    if scorer is None:
        app.cleanup_ctx.append(_classifier)
    if scheduler:  # hate-monitor serve: the process an administrator starts and watches
        app.cleanup_ctx.append(_scheduler)
        app.cleanup_ctx.append(_queue_provenance)
    return app


def _database(
    given: Database | None,
) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        if given is not None:
            yield
            return
        db = Database(app[keys.SETTINGS].database_url)
        await asyncio.get_running_loop().run_in_executor(None, db.upgrade)
        app[keys.DB] = db
        yield
        db.dispose()

    return ctx


async def _http_session(app: web.Application) -> AsyncIterator[None]:
    # One outbound session per process, with the explicit timeout and User-Agent connectors use.
    session = make_client_session(app[keys.SETTINGS])
    app[keys.HTTP] = session
    yield
    await session.close()


async def _classifier(app: web.Application) -> AsyncIterator[None]:
    """Load the model in the background: the desk serves at once, and keeps serving without it
    (``/healthz`` says why)."""
    settings = app[keys.SETTINGS]
    slot = app[keys.MODEL]
    slot.loading = True

    async def load() -> None:
        try:
            # The promoted live version if the database names one, else the shipped model.
            slot.scorer = await _in_daemon_thread(live_scorer, settings, app[keys.DB])
        except Exception as err:
            log.error("the classifier could not be loaded: %s", err)
            slot.error = f"{type(err).__name__}: {err}"
        finally:
            slot.loading = False

    task = asyncio.create_task(load())
    yield
    await _cancel(task)


async def _model_ready(slot: keys.ModelSlot) -> Scorer | None:
    """The classifier once it is there (handed in or loaded in the background); None if it
    failed to load."""
    while slot.scorer is None:
        if slot.error is not None and not slot.loading:
            return None
        await asyncio.sleep(0.2)
    return slot.scorer


async def _queue_provenance(app: web.Application) -> AsyncIterator[None]:
    """After an upgrade the open queue may still be ranked by the previous model: say so once
    the live model is known, with the command that fixes it. Re-scoring is an administrator's
    choice, not a start-up side effect: it can take minutes on a large queue and changes what
    officers see."""

    async def check() -> None:
        scorer = await _model_ready(app[keys.MODEL])
        if scorer is None:
            return
        try:
            ranked = await _in_daemon_thread(open_queue_versions, app[keys.DB])
        except Exception as err:  # a hint for the administrator, never a reason to stop
            log.warning("could not tell which models rank the open queue: %s", err)
            return
        others = ranked_by_others(ranked, scorer.model_version)
        if others:
            log.warning("%d open queue items are ranked by earlier models (%s), not the live "
                        "%s; run 'hate-monitor model rescore'", sum(others.values()),
                        ", ".join(sorted(others)), scorer.model_version)

    task = asyncio.create_task(check())
    yield
    await _cancel(task)


async def _cancel(task: asyncio.Task[Any]) -> bool:
    """Stop a start-up task still waiting at shutdown; True if it had to be cancelled."""
    if task.done():
        return False
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return True


T = TypeVar("T")


async def _in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run ``fn`` in a daemon thread. Loading the model (importing torch, reading weights) takes
    20-30 s on a small machine; in the default executor a SIGTERM during that wait had to wait
    for it to finish, because the loop's shutdown joins executor threads. A daemon thread is
    simply abandoned when the service stops."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: T | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)  # type: ignore[arg-type]

    def work() -> None:
        try:
            result, error = fn(*args), None
        except BaseException as err:  # handed to the awaiting coroutine
            result, error = None, err
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=work, name=getattr(fn, "__name__", "daemon"), daemon=True).start()
    return await future


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    """Sweeps start once the classifier is there to score what they bring in."""
    slot = app[keys.MODEL]

    async def start() -> SchedulerHandle | None:
        scorer = await _model_ready(slot)
        if scorer is None:
            log.error("sweeps are not running: the classifier did not load (%s)", slot.error)
            return None
        handle = await run_scheduler(app[keys.SETTINGS], app[keys.DB], scorer,
                                     app[keys.HTTP], role="serve")
        app[keys.SCHEDULER] = handle
        return handle

    task = asyncio.create_task(start())
    yield
    if await _cancel(task):
        return
    handle = task.result()
    if handle is not None:
        await handle.stop()


def make_fetcher(
    app: web.Application, *, api_base: str | None = None, resolve: Resolver = system_resolve
) -> CanonicalFetcher:
    """The intake's ``fetch_canonical`` for ``app``; ``api_base`` is for tests only."""

    async def fetch(url: str) -> Post | None:
        return await fetch_canonical(app[keys.HTTP], app[keys.DB], app[keys.SETTINGS], url,
                                     api_base=api_base, resolve=resolve)

    return fetch


async def install_canonical_fetch(app: web.Application) -> None:
    """Startup hook: set the intake's fetch unless something (a test) has set one already."""
    intake = app[keys.INTAKE]
    if intake.fetch_canonical is None:
        intake.fetch_canonical = make_fetcher(app)
