"""YouTube: replies embedded in a thread survive a replies fetch that returns fewer, and a
thread or comment missing a field is kept to read again."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from connectors.youtube.connector import YouTubeConnector
from tests.connectors.conftest import FakeSleep, Reply, collect_pages
from tests.connectors.pages_and_sweeps import fixture_obj, posts_of
from tests.connectors.youtube.test_connector import NOW, source


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> YouTubeConnector:
    fake_sleep.clock.now = NOW
    return YouTubeConnector(sleep=fake_sleep, clock=fake_sleep.clock)

THREADS = "/youtube/v3/commentThreads"
REPLIES = "/youtube/v3/comments"
EMBEDDED = "UgyBBBBBBBBBBBBBBBBBBBBB.9xReply0003"


async def test_embedded_replies_survive_a_replies_fetch_that_returns_fewer(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    threads = fixture_obj("youtube", "comment_threads.json")
    del threads["nextPageToken"]
    platform.on(THREADS, Reply(body=threads))
    replies = fixture_obj("youtube", "comments_replies.json")
    # The thread says 3 replies and embeds the newest; comments.list now returns only two
    # (the embedded one held for review or removed since the thread page was read).
    replies["items"] = [r for r in replies["items"] if r["id"] != EMBEDDED]
    platform.on(REPLIES, Reply(body=replies))

    pages = await collect_pages(connector, http_session, source(platform))

    ids = [p.post_id for p in posts_of(pages)]
    assert EMBEDDED in ids
    assert ids.count(EMBEDDED) == 1 and len(ids) == len(set(ids)) == 6
    kept = next(p for p in posts_of(pages) if p.post_id == EMBEDDED)
    assert kept.response_url is not None and "commentThreads" in kept.response_url


async def test_a_comment_missing_its_author_is_kept_and_read_again(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    threads = fixture_obj("youtube", "comment_threads.json")
    del threads["nextPageToken"]
    threads["items"] = threads["items"][:1]
    reply = threads["items"][0]["replies"]["comments"][0]
    name = reply["snippet"].pop("authorDisplayName")
    platform.on(THREADS, Reply(body=threads))

    (page,) = await collect_pages(connector, http_session, source(platform))

    assert [p.post_id for p in page.posts] == [threads["items"][0]["id"]]
    (kept,) = page.unreadable
    assert kept.key == reply["id"] and "authorDisplayName" in kept.reason
    reply["snippet"]["authorDisplayName"] = name
    (post,) = connector.reparse(type(kept)(json.dumps(reply).encode(), kept.reason),
                                source(platform))
    assert post.post_id == reply["id"] and post.thread_id == threads["items"][0]["id"]
