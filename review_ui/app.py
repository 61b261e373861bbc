"""The application factory: one app object for ``hate-monitor serve`` and for the tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web

from models.types import Scorer
from monitor.accounts.sessions import LoginThrottle
from monitor.classifier.versions import live_scorer
from monitor.config import Settings
from monitor.http_session import make_client_session
from monitor.ops.worker import SchedulerHandle, run_scheduler
from monitor.storage.db import Database
from review_ui import (
    api_v1,
    keys,
    views_audit,
    views_cases,
    views_intake,
    views_metrics,
    views_sources,
    views_stats,
)
from review_ui.access import ROUTE_ROLES
from review_ui.intake_wiring import install_canonical_fetch
from review_ui.middlewares import auth, errors, security_headers
from review_ui.render import make_env
from review_ui.request_id import request_id
from review_ui.routes import ROUTES

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
    app.on_response_prepare.append(security_headers)

    roles: dict[web.AbstractRoute, frozenset[str]] = {}
    for route in ROUTES:
        registered = app.router.add_route(route.method, route.path, route.handler,
                                          name=route.name)
        roles[registered] = route.roles
    app[ROUTE_ROLES] = roles
    # Each part of the desk registers its own routes (and their roles) in its own module.
    for part in (views_cases, views_stats, views_audit, views_intake, api_v1, views_metrics,
                 views_sources):
        part.setup_routes(app)
    app.router.add_static("/static", STATIC, name="static", append_version=True)

    app.cleanup_ctx.append(_database(db))
    app.cleanup_ctx.append(_http_session)
    app.on_startup.append(install_canonical_fetch)  # after cleanup_ctx: the session exists
    if scorer is None:
        app.cleanup_ctx.append(_classifier)
    if scheduler:
        app.cleanup_ctx.append(_scheduler)
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
            slot.scorer = await asyncio.get_running_loop().run_in_executor(
                None, live_scorer, settings, app[keys.DB]
            )
        except Exception as err:
            log.error("the classifier could not be loaded: %s", err)
            slot.error = f"{type(err).__name__}: {err}"
        finally:
            slot.loading = False

    task = asyncio.create_task(load())
    yield
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    """Sweeps start once the classifier is there to score what they bring in."""
    slot = app[keys.MODEL]

    async def start() -> SchedulerHandle | None:
        while slot.scorer is None:
            if slot.error is not None and not slot.loading:
                log.error("sweeps are not running: the classifier did not load (%s)", slot.error)
                return None
            await asyncio.sleep(0.2)
        handle = await run_scheduler(app[keys.SETTINGS], app[keys.DB], slot.scorer,
                                     app[keys.HTTP], role="serve")
        app[keys.SCHEDULER] = handle
        return handle

    task = asyncio.create_task(start())
    yield
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return
    handle = task.result()
    if handle is not None:
        await handle.stop()
