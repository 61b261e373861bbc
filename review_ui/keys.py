"""Every typed key stored on the application or a request, declared in one place."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
import jinja2
from aiohttp import web

from models.types import Scorer
from monitor.accounts.sessions import LoginThrottle, SessionData
from monitor.config import Settings
from monitor.ops.worker import SchedulerHandle
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

# Per request: set by the session middleware.
SESSION = web.RequestKey("session", SessionData)
USER = web.RequestKey("user", User)
NEW_SESSION = web.RequestKey("new_session", SessionData)
