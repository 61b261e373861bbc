"""Bluesky: client-supplied years such as 0001 or 1970, and a feed item missing its author."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.bluesky.connector import BlueskyConnector
from connectors.bluesky.parse import parse_post, sort_key
from tests.connectors.bluesky.test_connector import (  # noqa: F401 (autouse fixture)
    AppView,
    _ts,
    no_cached_sessions,
    numbers,
    post_view,
    spec,
)
from tests.connectors.conftest import FakeSleep, collect_pages, last_cursor


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> BlueskyConnector:
    return BlueskyConnector(sleep=fake_sleep, clock=fake_sleep.clock)


@pytest.mark.parametrize("written", ["0001-01-01T00:00:00.000Z", "1970-01-01T00:00:00Z",
                                     "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59Z"])
def test_an_implausible_created_at_falls_back_to_indexed_at(written: str) -> None:
    item = post_view(3)
    item["record"]["createdAt"] = written
    post = parse_post({"post": item}, source="s")
    assert post.created_at == datetime.fromisoformat(item["indexedAt"].replace("Z", "+00:00"))
    assert json.loads(post.raw)["post"]["record"]["createdAt"] == written  # raw keeps it


def test_a_backdated_but_plausible_created_at_is_kept() -> None:
    item = post_view(3)
    item["record"]["createdAt"] = "2023-05-01T10:00:00Z"
    assert parse_post(item, source="s").created_at == datetime(2023, 5, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z",
                                   "2999-01-01T00:00:00Z"])
def test_an_implausible_feed_time_is_no_walk_key(value: str) -> None:
    assert sort_key(value) is None


async def test_odd_years_neither_break_nor_move_the_mark(
    fake_platform: Any, http_session: Any, connector: BlueskyConnector
) -> None:
    platform = await fake_platform()
    feed = AppView(platform)
    odd = post_view(2)
    odd["record"]["createdAt"] = "0001-01-01T00:00:00Z"
    future = post_view(3)
    future["indexedAt"] = "2999-01-01T00:00:00Z"  # an AppView glitch must not hold the mark up
    feed.items = [{"post": future}, {"post": odd}, {"post": post_view(1)}]

    first = await collect_pages(connector, http_session, spec(platform))
    assert sorted(numbers(first)) == [1, 2, 3]
    assert json.loads(last_cursor(first) or "")["since"] == _ts(2).replace("Z", "000Z")

    feed.items.insert(0, {"post": post_view(4)})
    second = await collect_pages(connector, http_session, spec(platform), last_cursor(first))
    assert 4 in numbers(second)


async def test_a_feed_item_missing_its_author_is_kept(
    fake_platform: Any, http_session: Any, connector: BlueskyConnector
) -> None:
    platform = await fake_platform()
    feed = AppView(platform)
    broken = post_view(2)
    del broken["author"]
    feed.items = [{"post": broken}, {"post": post_view(1)}]

    (page,) = await collect_pages(connector, http_session, spec(platform))

    assert numbers([page]) == [1]
    (kept,) = page.unreadable
    assert kept.key == broken["uri"] and json.loads(kept.raw) == {"post": broken}
    mended = json.dumps({"post": post_view(2)}).encode()
    (post,) = connector.reparse(type(kept)(mended, kept.reason), spec(platform))
    assert post.post_id == broken["uri"] and post.language is None
