"""The intake's canonical fetch: a reported URL of a supported platform is fetched through
``connectors.resolve`` with the caller's one outbound ``ClientSession``, the connectors'
credentials and the configured user agent.

The hosts that may be contacted besides the well-known platforms are read on every report, so a
source added while the desk runs is trusted at once: the ``base_url`` of every configured source,
plus ``[intake] fetch_hosts`` from config.toml.
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp
from sqlmodel import col, select

from connectors.post import Post
from connectors.registry import CONNECTORS
from connectors.resolve.dispatch import fetch_post_by_url
from connectors.resolve.hosts import Resolver, allowed_hosts_from, system_resolve
from monitor.config import Settings
from monitor.sources.store import credentials_for
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source


def source_base_urls(db: Database) -> list[str | None]:
    with db.read() as session:
        return list(session.exec(select(Source.base_url).where(col(Source.base_url).is_not(None))))


def platform_credentials(settings: Settings) -> dict[str, dict[str, str]]:
    """Each connector's credentials (config.toml or environment), for ``fetch_post_by_url``."""
    return {name: credentials_for(name, settings) for name in CONNECTORS}


async def fetch_canonical(
    http: aiohttp.ClientSession, db: Database, settings: Settings, url: str, *,
    api_base: str | None = None, resolve: Resolver = system_resolve,
) -> Post | None:
    """The post at ``url`` as its platform serves it, or None; ``api_base`` is for tests only
    (see ``fetch_post_by_url``)."""
    intake = settings.extra.get("intake", {})
    allowed = allowed_hosts_from(
        await db.run(source_base_urls, db), intake if isinstance(intake, Mapping) else {}
    )
    failures: list[BaseException] = []
    post = await fetch_post_by_url(
        http, url, credentials=platform_credentials(settings),
        user_agent=str(settings["http.user_agent"]), allowed_hosts=allowed, api_base=api_base,
        resolve=resolve, failures=failures,
    )
    if post is None and failures:
        # A failure to fetch is not an answer that the post is gone: let the caller say which.
        raise failures[0]
    return post
