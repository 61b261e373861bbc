"""Reddit items that older or damaged listings carry: nothing is dropped without being kept.

``comments_2016.json`` is written by us in the shape of a 2016 ``/r/NAME/comments`` listing
(no ``permalink`` on comments); the shared test runs the real 2016 response recorded by PRAW.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

import connectors.reddit.auth as reddit_auth
import connectors.reddit.connector as reddit_module
from connectors.base import MalformedResponse, RetryPolicy, SourceSpec
from connectors.http.parse import json_unreadable
from connectors.reddit.connector import RedditConnector
from tests.connectors.conftest import FakePlatform, FakeSleep, Reply, collect_pages, fixture_bytes
from tests.connectors.real_responses import real_response

COMMENTS = "/r/unitedkingdom/comments"
CREDS = {
    "client_id": "CLIENT-ID",
    "client_secret": "CLIENT-SECRET-xyz",
    "user_agent": "test:org.example.hate-monitor:v0.1 (by /u/tester)",
}


@pytest.fixture(autouse=True)
def no_cached_tokens() -> Iterator[None]:
    reddit_auth._TOKENS.clear()
    reddit_module._BUDGETS.clear()
    yield
    reddit_auth._TOKENS.clear()
    reddit_module._BUDGETS.clear()


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> RedditConnector:
    return RedditConnector(sleep=fake_sleep, clock=fake_sleep.clock,
                           retry=RetryPolicy(max_attempts=2), rng=random.Random(0))


async def reddit(fake_platform: Any, listing: bytes, path: str = COMMENTS) -> FakePlatform:
    platform: FakePlatform = await fake_platform()
    platform.on("/api/v1/access_token", Reply(body=fixture_bytes("reddit", "access_token.json")),
                method="POST")
    platform.on(path, Reply(body=listing))
    return platform


def spec(platform: FakePlatform, target: str = "comments:unitedkingdom") -> SourceSpec:
    return SourceSpec("reddit", target, base_url=platform.url, credentials=CREDS, name="r-uk")


async def test_comments_without_permalink_get_one_from_link_id_and_id(
    fake_platform: Any, http_session: Any, connector: RedditConnector
) -> None:
    platform = await reddit(fake_platform, fixture_bytes("reddit", "comments_2016.json"))

    (page,) = await collect_pages(connector, http_session, spec(platform))

    second, first = page.posts
    assert first.post_id == "t1_d4y0001" and first.thread_id == "t3_4r0001"
    assert first.url == "https://www.reddit.com/r/unitedkingdom/comments/4r0001/_/d4y0001/"
    assert first.created_at == datetime(2016, 7, 1, 17, 59, 50, tzinfo=UTC)
    assert second.parent_id == "t1_d4y0001"
    # The comment with no time is kept, raw and all, not dropped behind the mark.
    (kept,) = page.unreadable
    assert kept.key == "t1_d4x9999" and "created_utc" in kept.reason
    assert json.loads(kept.raw)["data"]["body"] == "A comment whose created_utc did not come"
    assert json.loads(page.cursor or "")["since"] == str(int("d4y0002", 36))


async def test_a_kept_comment_is_read_again_once_it_can_be(connector: RedditConnector) -> None:
    listing = json.loads(fixture_bytes("reddit", "comments_2016.json"))
    broken = listing["data"]["children"][2]

    kept = json_unreadable(broken, MalformedResponse("no created_utc"), key="t1_d4x9999")
    source = SourceSpec("reddit", "comments:unitedkingdom", credentials=CREDS)
    with pytest.raises(MalformedResponse, match="created_utc"):
        connector.reparse(kept, source)
    broken["data"]["created_utc"] = 1467395900
    (post,) = connector.reparse(json_unreadable(broken, ValueError("x")), source)
    assert post.post_id == "t1_d4x9999"
    assert post.url.endswith("/comments/4r0001/_/d4x9999/")


@pytest.mark.shared
async def test_real_2016_comment_listing_loses_no_comment(
    fake_platform: Any, http_session: Any, connector: RedditConnector
) -> None:
    body = real_response("reddit", "praw_askreddit_comments_2016.json").read_bytes()
    children = json.loads(body)["data"]["children"]
    assert not any("permalink" in c["data"] for c in children)  # the case this pins
    platform = await reddit(fake_platform, body, "/r/AskReddit/comments")

    (page,) = await collect_pages(connector, http_session, spec(platform, "comments:AskReddit"))

    assert len(page.posts) == 100 and page.unreadable == ()
    first = page.posts[0]
    data = children[0]["data"]
    assert first.url == (f"https://www.reddit.com/r/AskReddit/comments/{data['link_id'][3:]}/_/"
                         f"{data['id']}/")
