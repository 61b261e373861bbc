"""Connector names → implementations, imported lazily so a broken optional dependency of one
platform never stops the others from loading."""

from __future__ import annotations

import importlib

from connectors.base import Connector

CONNECTORS: dict[str, str] = {
    "mastodon": "connectors.mastodon.connector:MastodonConnector",
    "bluesky": "connectors.bluesky.connector:BlueskyConnector",
    "reddit": "connectors.reddit.connector:RedditConnector",
    "discourse": "connectors.discourse.connector:DiscourseConnector",
    "lemmy": "connectors.lemmy.connector:LemmyConnector",
    "telegram": "connectors.telegram.connector:TelegramConnector",
    "rss": "connectors.rss.connector:RssConnector",
    "youtube": "connectors.youtube.connector:YouTubeConnector",
}


class UnknownConnector(KeyError):
    def __str__(self) -> str:
        return f"unknown connector {self.args[0]!r}; choose one of {', '.join(sorted(CONNECTORS))}"


def get_connector(name: str) -> Connector:
    try:
        module_name, _, cls_name = CONNECTORS[name].partition(":")
    except KeyError as err:
        raise UnknownConnector(name) from err
    cls = getattr(importlib.import_module(module_name), cls_name)
    connector: Connector = cls()
    return connector
