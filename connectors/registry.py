"""Connector names → implementations, imported lazily so a broken optional dependency of one
platform never stops the others from loading."""

from __future__ import annotations

import importlib

from connectors.base import Connector

CONNECTORS: dict[str, str] = {
    "mastodon": "connectors.mastodon:MastodonConnector",
    "bluesky": "connectors.bluesky:BlueskyConnector",
    "reddit": "connectors.reddit:RedditConnector",
    "discourse": "connectors.discourse:DiscourseConnector",
    "lemmy": "connectors.lemmy:LemmyConnector",
    "telegram": "connectors.telegram:TelegramConnector",
    "rss": "connectors.rss:RssConnector",
    "youtube": "connectors.youtube:YouTubeConnector",
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
