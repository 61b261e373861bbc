"""The one list of platforms: connector names → implementations, imported lazily so a broken
optional dependency of one platform never stops the others from loading.

A platform is the package ``connectors/<name>/`` plus one line here: its ``connector`` module
holds the named class, and unless ``by_url=False`` its ``fetch`` module fetches one post by its
URL (see ``PostFetcher``). Everything else that lists platforms (the intake's fetchable
platforms, ``connectors.resolve``, the CLI help) derives from ``CONNECTORS``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from urllib.parse import SplitResult

    from connectors.base import Connector, Target
    from connectors.http.oneshot import Call
    from connectors.post import Post


@dataclass(frozen=True, slots=True)
class Platform:
    connector: str  # class name in connectors.<name>.connector
    by_url: bool = True  # connectors.<name>.fetch exists


CONNECTORS: dict[str, Platform] = {
    "mastodon": Platform("MastodonConnector"),
    "bluesky": Platform("BlueskyConnector"),
    "reddit": Platform("RedditConnector"),
    "discourse": Platform("DiscourseConnector"),
    "lemmy": Platform("LemmyConnector"),
    "telegram": Platform("TelegramConnector"),
    "rss": Platform("RssConnector", by_url=False),
    "youtube": Platform("YouTubeConnector"),
}


class PostFetcher(Protocol):
    """A platform's ``fetch`` module: which URLs name one of its posts, and how to fetch one."""

    # Hosts that are this platform's own (trusted without configuration); empty for a
    # self-hosted platform, whose URLs are recognised on any host the operator trusts.
    HOSTS: frozenset[str]

    def recognise(self, host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
        """The ids in a URL of this platform, why it names no post we fetch, or None."""
        ...

    async def fetch_post(self, call: Call, target: Target) -> Post | None:
        """The post, None when the platform says it is gone, else a ``ConnectorError``."""
        ...


class UnknownConnector(KeyError):
    def __str__(self) -> str:
        return f"unknown connector {self.args[0]!r}; choose one of {', '.join(sorted(CONNECTORS))}"


def get_connector(name: str) -> Connector:
    try:
        platform = CONNECTORS[name]
    except KeyError as err:
        raise UnknownConnector(name) from err
    cls = getattr(importlib.import_module(f"connectors.{name}.connector"), platform.connector)
    connector: Connector = cls()
    return connector


def url_fetchers() -> dict[str, PostFetcher]:
    """The ``fetch`` module of every platform that fetches a post by its URL, in registry order."""
    return {
        name: cast("PostFetcher", importlib.import_module(f"connectors.{name}.fetch"))
        for name, platform in CONNECTORS.items()
        if platform.by_url
    }


def names_for_help() -> str:
    """``"mastodon, bluesky, ... or youtube"``: the connector names as a sentence."""
    names = list(CONNECTORS)
    return f"{', '.join(names[:-1])} or {names[-1]}"
