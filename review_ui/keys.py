"""Every typed key stored on the application or a request, declared in one place, with the
small holders some of them keep."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import aiohttp
import jinja2
from aiohttp import web

from models.types import Scorer
from monitor.accounts.moderators import TokenBucket
from monitor.accounts.sessions import SessionData
from monitor.accounts.throttle import LoginThrottle
from monitor.config import Settings
from monitor.intake.reports import CanonicalFetcher
from monitor.ops.worker import SchedulerHandle
from monitor.reporting.metrics import MetricsCache
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
HTTP = web.AppKey("http", aiohttp.ClientSession)
JINJA = web.AppKey("jinja", jinja2.Environment)
THROTTLE = web.AppKey("throttle", LoginThrottle)


@dataclass
class ModelSlot:
    """The classifier, or why there is none: the desk keeps serving without it."""

    scorer: Scorer | None = None
    error: str | None = None
    loading: bool = False


MODEL = web.AppKey("model", ModelSlot)

# The sweep scheduler when this process runs one (``hate-monitor serve`` with scheduler.enabled).
SCHEDULER = web.AppKey("scheduler", SchedulerHandle)

@dataclass
class IntakeHooks:
    """Pluggable parts of the intake: the connectors' canonical fetch (None until connectors
    provide one; reports then keep the moderator's copy) and the intake's rate limits."""

    fetch_canonical: CanonicalFetcher | None = None
    bucket: TokenBucket = field(default_factory=TokenBucket)
    # The web form's reports, per moderator: the same pace as a bot's token.
    form_bucket: TokenBucket = field(default_factory=TokenBucket)
    # Invalid bearer tokens, per client address: a burst of mistakes, then one a minute.
    bad_tokens: TokenBucket = field(default_factory=lambda: TokenBucket(rate=1 / 60, burst=20))


INTAKE = web.AppKey("intake", IntakeHooks)


def hooks(app: web.Application) -> IntakeHooks:
    found = app.get(INTAKE)
    if found is None:
        found = IntakeHooks()
        app[INTAKE] = found
    return found

# ``GET /metrics``: the cached exposition and the scraper's bearer token (may be empty).
METRICS_CACHE = web.AppKey("metrics_cache", MetricsCache)
METRICS_TOKEN = web.AppKey("metrics_token", str)

# Background "run now" sweeps started by this process (when no scheduler runs here), by source.
SWEEPS = web.AppKey("source_sweeps", dict[int, asyncio.Task[None]])

# Per request: set by the session middleware.
SESSION = web.RequestKey("session", SessionData)
USER = web.RequestKey("user", User)
NEW_SESSION = web.RequestKey("new_session", SessionData)

# Per request: set by the request-id middleware.
REQUEST_ID = web.RequestKey("request_id", str)
