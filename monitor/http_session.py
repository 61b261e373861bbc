"""The one outbound HTTP session a process uses (connectors, webhooks)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp

from monitor.config import Settings


def make_client_session(settings: Settings) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=settings["http.timeout_s"]),
        headers={"User-Agent": settings["http.user_agent"]},
        raise_for_status=False,
    )


@asynccontextmanager
async def client_session(settings: Settings) -> AsyncIterator[aiohttp.ClientSession]:
    session = make_client_session(settings)
    try:
        yield session
    finally:
        await session.close()
