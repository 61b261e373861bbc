"""``GET /metrics``: Prometheus text for the scraper, behind an admin session or a bearer token.

The route is registered as PUBLIC in the access table so that a scraper without a session is not
redirected to the login page; this handler does the check itself: ``Authorization: Bearer
<HATE_MONITOR_METRICS_TOKEN>`` (compared in constant time) or a logged-in admin. With no token
configured only admins get in. The figures are counts, never post content or personal data.
"""

from __future__ import annotations

import secrets
import time

from aiohttp import web

from monitor.reporting.metrics import CONTENT_TYPE
from review_ui import keys
from review_ui.access import PUBLIC, Route

TOKEN_ENV = "HATE_MONITOR_METRICS_TOKEN"  # noqa: S105 (a variable name, not a secret)


def _authorised(request: web.Request) -> bool:
    user = request.get(keys.USER)
    if user is not None and user.role == "admin":
        return True
    token = request.app[keys.METRICS_TOKEN]
    header = request.headers.get("Authorization", "")
    scheme, _, presented = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and secrets.compare_digest(
        presented.strip().encode(), token.encode())


async def metrics(request: web.Request) -> web.StreamResponse:
    if not _authorised(request):
        # 401 with a challenge for scrapers; nothing says whether a token is configured.
        return web.Response(status=401, text="metrics need an admin session or a bearer token\n",
                            headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    db = request.app[keys.DB]
    cache = request.app[keys.METRICS_CACHE]
    body = await db.run(cache.get, db, now=time.monotonic())
    return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})


ROUTES: tuple[Route, ...] = (Route("GET", "/metrics", metrics, PUBLIC, "metrics"),)
