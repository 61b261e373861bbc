"""Reddit connector against a local server that behaves like oauth.reddit.com."""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aiohttp import web

import connectors.reddit.auth as reddit_auth
import connectors.reddit.connector as reddit_module
from connectors.base import (
    AuthFailed,
    MalformedResponse,
    PermanentError,
    RateLimited,
    RetryPolicy,
    SourceSpec,
    SourceUnavailable,
)
from connectors.http.parse import item_raw
from connectors.reddit.connector import RedditConnector
from tests.connectors.conftest import (
    FakePlatform,
    FakeSleep,
    Reply,
    collect_pages,
    fixture_bytes,
    last_cursor,
    shared_fixture,
    shared_headers,
)

NEW = "/r/unitedkingdom/new"
COMMENTS = "/r/unitedkingdom/comments"
TOKEN = "/api/v1/access_token"
CREDS = {
    "client_id": "CLIENT-ID",
    "client_secret": "CLIENT-SECRET-xyz",
    "user_agent": "test:org.example.hate-monitor:v0.1 (by /u/tester)",
}
T0 = 1_793_534_400


def b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def submission(n: int) -> dict[str, Any]:
    ident = b36(1_000_000 + n)
    return {
        "kind": "t3",
        "data": {
            "id": ident,
            "name": f"t3_{ident}",
            "title": f"post {n}",
            "selftext": "",
            "is_self": True,
            "author": f"user{n}",
            "author_fullname": f"t2_{n}",
            "permalink": f"/r/unitedkingdom/comments/{ident}/post_{n}/",
            "created_utc": T0 + n * 60,
        },
    }


class Subreddit:
    """/r/NAME/new with after= fullnames and limit, newest first, like Reddit."""

    def __init__(self, platform: FakePlatform, path: str = NEW) -> None:
        self.items: list[dict[str, Any]] = []
        self.headers = {
            "x-ratelimit-remaining": "599.0",
            "x-ratelimit-used": "1",
            "x-ratelimit-reset": "300",
        }
        platform.on(path, self.listing)

    def add(self, *numbers: int) -> None:
        self.items.extend(submission(n) for n in numbers)
        self.items.sort(key=lambda c: int(c["data"]["id"], 36), reverse=True)

    async def listing(self, request: web.Request) -> Reply:
        assert request.query["raw_json"] == "1"
        assert request.headers["Authorization"].startswith("bearer ")
        limit = int(request.query.get("limit", "25"))
        items = self.items
        if "after" in request.query:
            names = [c["data"]["name"] for c in items]
            items = items[names.index(request.query["after"]) + 1 :]
        page = items[:limit]
        after = page[-1]["data"]["name"] if len(items) > limit else None
        body = {"kind": "Listing", "data": {"after": after, "before": None, "children": page}}
        return Reply(body=body, headers=self.headers)


@pytest.fixture(autouse=True)
def no_cached_tokens() -> Iterator[None]:
    reddit_auth._TOKENS.clear()
    reddit_module._BUDGETS.clear()
    yield
    reddit_auth._TOKENS.clear()
    reddit_module._BUDGETS.clear()


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> RedditConnector:
    return RedditConnector(
        sleep=fake_sleep,
        clock=fake_sleep.clock,
        retry=RetryPolicy(max_attempts=3),
        rng=random.Random(0),
    )


async def reddit(fake_platform: Any) -> FakePlatform:
    platform = await fake_platform()
    platform.on(TOKEN, Reply(body=fixture_bytes("reddit", "access_token.json")), method="POST")
    return platform


def spec(platform: FakePlatform, target: str = "subreddit:unitedkingdom", **kw: Any) -> SourceSpec:
    creds = kw.pop("credentials", CREDS)
    return SourceSpec(
        "reddit", target, base_url=platform.url, options=kw, credentials=creds, name=f"r-{target}"
    )


def numbers(pages: list[Any]) -> list[int]:
    return [int(p.post_id[3:], 36) - 1_000_000 for page in pages for p in page.posts]


async def test_fixture_listing_normalised(fake_platform, http_session, connector, caplog):
    platform = await reddit(fake_platform)
    body = fixture_bytes("reddit", "new.json")
    platform.on(NEW, Reply(body=body))
    (page,) = await collect_pages(connector, http_session, spec(platform))
    assert page.skipped == 1 and "r-subreddit:unitedkingdom" in caplog.text
    first, second = page.posts
    assert first.post_id == "t3_zz0002" and first.thread_id == "t3_zz0002"
    assert first.url == "https://www.reddit.com/r/unitedkingdom/comments/zz0002/a_self_post/"
    assert first.author_handle == "someone_uk" and first.author_id == "t2_abc123"
    assert first.created_at == datetime(2026, 11, 1, 12, 2, tzinfo=UTC)
    assert first.text == "A self post\n\nBody of the post &amp; more text"
    assert second.text == "A link post\n\n[link: https://news.example.co.uk/story]"
    assert first.raw == item_raw(json.loads(body)["data"]["children"][0])
    token_req, listing_req = platform.requests
    assert token_req.body == b"grant_type=client_credentials"
    assert (
        token_req.headers["Authorization"]
        == "Basic " + base64.b64encode(b"CLIENT-ID:CLIENT-SECRET-xyz").decode()
    )
    assert listing_req.headers["Authorization"] == "bearer APP-TOKEN-1"
    assert listing_req.headers["User-Agent"] == CREDS["user_agent"]


async def test_fixture_comments(fake_platform, http_session, connector):
    platform = await reddit(fake_platform)
    platform.on(COMMENTS, Reply(body=fixture_bytes("reddit", "comments.json")))
    (page,) = await collect_pages(connector, http_session, spec(platform, "comments:unitedkingdom"))
    (comment,) = page.posts
    assert comment.post_id == "t1_k00002"
    assert comment.thread_id == "t3_zz0002" and comment.parent_id == "t1_k00001"
    assert comment.text == "> quoted\n\nreply with <b>tags</b> kept as typed"
    assert comment.created_at == datetime(2026, 11, 1, 12, 5, 0, 500000, tzinfo=UTC)


async def test_pagination_backfill_next_run_and_token_reuse(fake_platform, http_session, connector):
    platform = await reddit(fake_platform)
    sub = Subreddit(platform)
    sub.add(*range(1, 11))
    first = await collect_pages(connector, http_session, spec(platform, limit=4), backfill_limit=7)
    assert numbers(first) == [10, 9, 8, 7, 6, 5, 4]
    assert platform.requests[2].query["after"] == submission(7)["data"]["name"]
    sub.add(11, 12, 13)
    second = await collect_pages(
        connector, http_session, spec(platform, limit=2), last_cursor(first)
    )
    assert numbers(second) == [13, 12, 11]
    assert platform.count(TOKEN) == 1


async def test_crash_mid_walk_resumes_without_loss(fake_platform, http_session, connector):
    platform = await reddit(fake_platform)
    sub = Subreddit(platform)
    sub.add(1)
    cursor = last_cursor(await collect_pages(connector, http_session, spec(platform)))
    sub.add(*range(2, 12))
    crashed = await collect_pages(
        connector, http_session, spec(platform, limit=3), cursor, max_pages=2
    )
    sub.add(12, 13)
    resumed = await collect_pages(
        connector, http_session, spec(platform, limit=3), crashed[-1].cursor
    )
    later = await collect_pages(
        connector, http_session, spec(platform, limit=3), resumed[-1].cursor
    )
    seen = numbers(crashed) + numbers(resumed) + numbers(later)
    assert sorted(seen) == list(range(2, 14))


async def test_429_and_pacing_on_x_ratelimit(fake_platform, http_session, connector, fake_sleep):
    platform = await reddit(fake_platform)
    sub = Subreddit(platform)
    sub.add(1, 2, 3, 4)
    sub.headers = {
        "x-ratelimit-remaining": "0.0",
        "x-ratelimit-used": "600",
        "x-ratelimit-reset": "42",
    }
    pages = await collect_pages(connector, http_session, spec(platform, limit=2))
    assert numbers(pages) == [4, 3, 2, 1]
    assert fake_sleep.calls[0] == pytest.approx(42)
    platform.script(
        NEW,
        Reply(
            status=429,
            body={"message": "Too Many Requests", "error": 429},
            headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "17"},
        ),
    )
    with pytest.raises(RateLimited) as info:
        await collect_pages(connector, http_session, spec(platform))
    assert info.value.retry_after == pytest.approx(17)


async def test_5xx_timeout_truncated_malformed(
    fake_platform, http_session, timeout_session, connector
):
    platform = await reddit(fake_platform)
    Subreddit(platform).add(1, 2)
    platform.script(NEW, Reply(status=503, body="<html>all our servers are busy</html>"))
    assert numbers(await collect_pages(connector, http_session, spec(platform))) == [2, 1]
    platform.script(NEW, *[Reply(hang=True)] * 3)
    with pytest.raises(SourceUnavailable, match="r-subreddit"):
        await collect_pages(connector, timeout_session, spec(platform))
    platform.script(
        NEW, *[Reply(body={"data": {"children": [submission(1)] * 50}}, truncate=True)] * 3
    )
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, http_session, spec(platform))
    platform.script(
        NEW, Reply(body=b'{"kind": "Listing", "data": {"chil', content_type="application/json")
    )
    with pytest.raises(MalformedResponse, match="not valid JSON"):
        await collect_pages(connector, http_session, spec(platform))
    platform.script(NEW, Reply(body=[1, 2]))
    with pytest.raises(MalformedResponse, match="expected a Listing"):
        await collect_pages(connector, http_session, spec(platform))


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (
            403,
            {"reason": "quarantined", "message": "Forbidden", "error": 403},
            PermanentError,
            "quarantined",
        ),
        (
            403,
            {"reason": "private", "message": "Forbidden", "error": 403},
            PermanentError,
            "is private",
        ),
        (404, {"reason": "banned", "message": "Not Found", "error": 404}, PermanentError, "banned"),
        (404, {"message": "Not Found", "error": 404}, PermanentError, "not found"),
        (403, {"message": "Forbidden", "error": 403}, AuthFailed, "refused the app's token"),
    ],
)
async def test_refusals_say_why(
    fake_platform, http_session, connector, status, body, error, message
):
    platform = await reddit(fake_platform)
    platform.on(NEW, Reply(status=status, body=body))
    with pytest.raises(error, match=message) as info:
        await collect_pages(connector, http_session, spec(platform))
    assert "CLIENT-SECRET-xyz" not in str(info.value) and "APP-TOKEN-1" not in str(info.value)


async def test_expired_token_renewed_once(fake_platform, http_session, connector):
    platform = await reddit(fake_platform)
    Subreddit(platform).add(1)
    platform.script(NEW, Reply(status=401, body={"message": "Unauthorized", "error": 401}))
    assert numbers(await collect_pages(connector, http_session, spec(platform))) == [1]
    assert platform.count(TOKEN) == 2
    platform.on(NEW, Reply(status=401, body={"message": "Unauthorized", "error": 401}))
    with pytest.raises(AuthFailed):
        await collect_pages(connector, http_session, spec(platform))


async def test_bad_client_credentials(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(
        TOKEN, Reply(status=401, body={"message": "Unauthorized", "error": 401}), method="POST"
    )
    with pytest.raises(AuthFailed) as info:
        await collect_pages(connector, http_session, spec(platform))
    assert "CLIENT-SECRET-xyz" not in str(info.value)
    platform.on(TOKEN, Reply(body={"error": "invalid_grant"}), method="POST")
    with pytest.raises(AuthFailed, match="invalid_grant"):
        await collect_pages(connector, http_session, spec(platform))
    with pytest.raises(AuthFailed, match="client_id"):
        await collect_pages(
            connector, http_session, spec(platform, credentials={"user_agent": CREDS["user_agent"]})
        )
    with pytest.raises(PermanentError, match="user_agent"):
        await collect_pages(connector, http_session, spec(platform, credentials={"client_id": "x"}))


@pytest.mark.parametrize("target", ["subreddit:", "sub:uk", "subreddit:a b", "comments:x"])
async def test_bad_targets(http_session, connector, target):
    with pytest.raises(PermanentError, match="subreddit:NAME"):
        await collect_pages(connector, http_session, SourceSpec("reddit", target))


# --------------------------------------------------------------------------- recorded responses


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "path", "target"),
    [
        ("r_all_new_before.json", "/r/all/new", "subreddit:all"),
        ("r_askreddit_new_2016.json", "/r/askreddit/new", "subreddit:askreddit"),
        ("r_askreddit_comments_before.json", "/r/askreddit/comments", "comments:askreddit"),
    ],
)
async def test_recorded_listings_parse(fake_platform, http_session, connector, name, path, target):
    body = shared_fixture("reddit", name).read_bytes()
    headers = {
        k: v
        for k, v in shared_headers("reddit", name).items()
        if k.lower().startswith("x-ratelimit")
    }
    platform = await reddit(fake_platform)
    platform.on(path, Reply(body=body, headers=headers))
    pages = await collect_pages(
        connector, http_session, spec(platform, target), backfill_limit=1000, max_pages=1
    )
    children = json.loads(body)["data"]["children"]
    assert pages[0].skipped == 0 and len(pages[0].posts) == len(children) > 0
    for post in pages[0].posts:
        assert post.url.startswith("https://www.reddit.com/r/")
        assert post.post_id.startswith(("t1_", "t3_")) and post.thread_id


@pytest.mark.shared
async def test_recorded_quarantine_refusal(fake_platform, http_session, connector):
    body = shared_fixture("reddit", "quarantined_403.json").read_bytes()
    platform = await reddit(fake_platform)
    platform.on("/r/tiananmenaquarefalse/new", Reply(status=403, body=body))
    with pytest.raises(PermanentError, match="quarantined"):
        await collect_pages(
            connector, http_session, spec(platform, "subreddit:tiananmenaquarefalse")
        )


@pytest.mark.shared
async def test_recorded_token_shape(fake_platform, http_session, connector):
    body = shared_fixture("reddit", "access_token.json").read_bytes()
    platform = await fake_platform()
    platform.on(TOKEN, Reply(body=body), method="POST")
    Subreddit(platform).add(1)
    assert numbers(await collect_pages(connector, http_session, spec(platform))) == [1]


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from connectors.reddit.parse import parse_thing  # noqa: E402
from connectors.text import MAX_TEXT  # noqa: E402
from tests.connectors.conftest import assert_readable, hostile_text  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    title=hostile_text(4),
    body=hostile_text(),
    author=st.text(max_size=20),
    created=st.one_of(st.floats(allow_nan=True), st.text(max_size=10), st.none()),
)
def test_thing_normaliser_with_hostile_text(title, body, author, created):
    item = submission(1)
    item["data"].update(title=title, selftext=body, author=author, created_utc=created)
    try:
        post = parse_thing(item, source="prop")
    except MalformedResponse:
        return
    assert_readable(post.text)
    assert json.loads(post.raw) == item


def test_thing_normaliser_bounds_huge_bodies():
    item = submission(1)
    item["data"]["selftext"] = "y " * 400_000
    assert len(parse_thing(item, source="prop").text) <= MAX_TEXT + 10
