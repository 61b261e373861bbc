"""Gives the intake its canonical fetch: a reported URL of a supported platform is fetched through
``connectors.resolve`` with the app's one outbound ``ClientSession`` (issue 8), the connectors'
credentials and the configured user agent.

The hosts that may be contacted besides the well-known platforms are read on every report, so a
source added while the desk runs is trusted at once: the ``base_url`` of every configured source,
plus ``[intake] fetch_hosts`` from config.toml.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from sqlmodel import col, select

from connectors.post import Post
from connectors.registry import CONNECTORS
from connectors.resolve.dispatch import fetch_post_by_url
from connectors.resolve.hosts import Resolver, allowed_hosts_from, system_resolve
from monitor.config import Settings
from monitor.intake import CanonicalFetcher
from monitor.sources import credentials_for
from monitor.storage.db import Database
from monitor.storage.models import Source
from review_ui import keys
from review_ui.intake_hooks import INTAKE


def source_base_urls(db: Database) -> list[str | None]:
    with db.read() as session:
        return list(session.exec(select(Source.base_url).where(col(Source.base_url).is_not(None))))


def platform_credentials(settings: Settings) -> dict[str, dict[str, str]]:
    """Each connector's credentials (config.toml or environment), for ``fetch_post_by_url``."""
    return {name: credentials_for(name, settings) for name in CONNECTORS}


def make_fetcher(
    app: web.Application, *, api_base: str | None = None, resolve: Resolver = system_resolve
) -> CanonicalFetcher:
    """The intake's ``fetch_canonical`` for ``app``; ``api_base`` is for tests only (see
    ``fetch_post_by_url``)."""

    async def fetch(url: str) -> Post | None:
        settings = app[keys.SETTINGS]
        db = app[keys.DB]
        intake = settings.extra.get("intake", {})
        allowed = allowed_hosts_from(
            await db.run(source_base_urls, db), intake if isinstance(intake, Mapping) else {}
        )
        return await fetch_post_by_url(
            app[keys.HTTP], url, credentials=platform_credentials(settings),
            user_agent=str(settings["http.user_agent"]), allowed_hosts=allowed, api_base=api_base,
            resolve=resolve,
        )

    return fetch


async def install_canonical_fetch(app: web.Application) -> None:
    """Startup hook: set the intake's fetch unless something (a test) has set one already."""
    intake = app[INTAKE]
    if intake.fetch_canonical is None:
        intake.fetch_canonical = make_fetcher(app)
