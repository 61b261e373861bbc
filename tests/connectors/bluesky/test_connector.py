"""Bluesky connector against a local server that behaves like the AppView and a PDS."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

import connectors.bluesky.connector as bluesky_module
from connectors.base import (
    AuthFailed,
    MalformedResponse,
    PermanentError,
    RateLimited,
    RetryPolicy,
    SourceSpec,
    SourceUnavailable,
)
from connectors.bluesky.connector import BlueskyConnector
from connectors.http.parse import item_raw
from tests.connectors.conftest import (
    FakePlatform,
    FakeSleep,
    Reply,
    collect_pages,
    fixture_bytes,
    last_cursor,
    shared_fixture,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
AUTHOR = "/xrpc/app.bsky.feed.getAuthorFeed"
SEARCH = "/xrpc/app.bsky.feed.searchPosts"
LOGIN = "/xrpc/com.atproto.server.createSession"
REFRESH = "/xrpc/com.atproto.server.refreshSession"
FEED_URI = "at://did:plc:team/app.bsky.feed.generator/hot"


def _ts(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def post_view(n: int, text: str = "") -> dict[str, Any]:
    return {
        "uri": f"at://did:plc:u{n}/app.bsky.feed.post/3k{n:011d}",
        "cid": f"bafy{n}",
        "author": {"did": f"did:plc:u{n}", "handle": f"u{n}.bsky.social"},
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": _ts(n),
            "text": text or f"post {n}",
            "langs": ["en"],
        },
        "indexedAt": _ts(n),
    }


class AppView:
    """Newest-first feed with opaque cursors, like getAuthorFeed/searchPosts."""

    def __init__(self, platform: FakePlatform, path: str = AUTHOR, field: str = "feed") -> None:
        self.items: list[dict[str, Any]] = []
        self.headers: dict[str, str] = {}
        self.field = field
        platform.on(path, self.listing)

    def add(self, *numbers: int) -> None:
        for n in numbers:
            view = post_view(n)
            self.items.append({"post": view} if self.field == "feed" else view)
        key = (
            (lambda i: i["post"]["indexedAt"])
            if self.field == "feed"
            else (lambda i: i["indexedAt"])
        )
        self.items.sort(key=key, reverse=True)

    async def listing(self, request: web.Request) -> Reply:
        limit = int(request.query.get("limit", "50"))
        start = int(request.query.get("cursor", "0"))
        page = self.items[start : start + limit]
        body: dict[str, Any] = {self.field: page}
        if start + limit < len(self.items):
            body["cursor"] = str(start + limit)
        return Reply(body=body, headers=self.headers)


@pytest.fixture(autouse=True)
def no_cached_sessions() -> Iterator[None]:
    bluesky_module._SESSIONS.clear()
    bluesky_module._BUDGETS.clear()
    yield
    bluesky_module._SESSIONS.clear()
    bluesky_module._BUDGETS.clear()


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> BlueskyConnector:
    return BlueskyConnector(
        sleep=fake_sleep,
        clock=fake_sleep.clock,
        retry=RetryPolicy(max_attempts=3),
        rng=random.Random(0),
    )


def spec(platform: FakePlatform, target: str = "author:u.bsky.social", **kw: Any) -> SourceSpec:
    credentials = kw.pop("credentials", {})
    return SourceSpec(
        "bluesky",
        target,
        base_url=platform.url,
        options=kw,
        credentials=credentials,
        name=f"b-{target}",
    )


def numbers(pages: list[Any]) -> list[int]:
    return [int(p.post_id.rsplit("/", 1)[1][2:]) for page in pages for p in page.posts]


async def test_fixture_feed_normalised(fake_platform, http_session, connector, caplog):
    platform = await fake_platform()
    body = fixture_bytes("bluesky", "author_feed.json")
    platform.on(AUTHOR, Reply(body=body))
    pages = await collect_pages(connector, http_session, spec(platform))
    assert platform.requests[0].query["actor"] == "u.bsky.social"
    assert platform.requests[0].query["filter"] == "posts_with_replies"
    (page,) = pages
    assert page.skipped == 1 and "b-author:u.bsky.social" in caplog.text
    reply, original = page.posts
    assert reply.post_id == "at://did:plc:alice0000000000000000000/app.bsky.feed.post/3lbbbbbbbbbb2"
    assert reply.url == "https://bsky.app/profile/alice.example.com/post/3lbbbbbbbbbb2"
    assert reply.author_handle == "alice.example.com"
    assert reply.author_id == "did:plc:alice0000000000000000000"
    assert reply.text == "Replying to you all\n\n[image: a placard]"  # invisible marks gone
    assert reply.parent_id == reply.thread_id == original.post_id
    # The declared langs are not taken as the language (ingest detects it); raw keeps them.
    assert reply.language is None and original.language is None
    assert json.loads(original.raw)["post"]["record"]["langs"] == ["en-GB"]
    # createdAt without an offset is not guessed: the AppView's indexedAt is used.
    assert original.created_at == datetime(2026, 11, 1, 12, 0, 1, tzinfo=UTC)
    assert reply.raw == item_raw(json.loads(body)["feed"][0])
    assert reply.response == body


async def test_reposts_deduped_by_post_uri(fake_platform, http_session, connector):
    platform = await fake_platform()
    view = post_view(1)
    repost = {
        "post": view,
        "reason": {"$type": "app.bsky.feed.defs#reasonRepost", "indexedAt": _ts(5)},
    }
    platform.on(AUTHOR, Reply(body={"feed": [repost, {"post": post_view(3)}, {"post": view}]}))
    pages = await collect_pages(connector, http_session, spec(platform))
    assert numbers(pages) == [1, 3]


async def test_pagination_backfill_then_only_new(fake_platform, http_session, connector):
    platform = await fake_platform()
    appview = AppView(platform)
    appview.add(*range(1, 11))
    first = await collect_pages(connector, http_session, spec(platform, limit=4), backfill_limit=6)
    assert numbers(first) == [10, 9, 8, 7, 6, 5]
    appview.add(11, 12)
    second = await collect_pages(
        connector, http_session, spec(platform, limit=4), last_cursor(first)
    )
    # Keys compare inclusively (times can tie), so the newest known post may come again.
    assert set(numbers(second)) - {10} == {11, 12}


async def test_crash_mid_walk_resumes_without_loss(fake_platform, http_session, connector):
    platform = await fake_platform()
    appview = AppView(platform)
    appview.add(1)
    cursor = last_cursor(await collect_pages(connector, http_session, spec(platform)))
    appview.add(*range(2, 12))
    seen = numbers(
        crashed := await collect_pages(
            connector, http_session, spec(platform, limit=3), cursor, max_pages=2
        )
    )
    appview.add(12)
    resumed = await collect_pages(
        connector, http_session, spec(platform, limit=3), crashed[-1].cursor
    )
    seen += numbers(resumed)
    later = await collect_pages(
        connector, http_session, spec(platform, limit=3), resumed[-1].cursor
    )
    seen += numbers(later)
    assert set(range(2, 13)) <= set(seen)


async def test_429_uses_ratelimit_reset_epoch(fake_platform, http_session, connector, clock):
    platform = await fake_platform()
    platform.on(
        AUTHOR,
        Reply(
            status=429,
            body={"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            headers={
                "RateLimit-Limit": "3000",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(int(clock.now) + 120),
                "RateLimit-Policy": "3000;w=300",
            },
        ),
    )
    with pytest.raises(RateLimited) as info:
        await collect_pages(connector, http_session, spec(platform))
    assert info.value.retry_after == pytest.approx(120, abs=1)


async def test_paces_on_ratelimit_headers(fake_platform, http_session, connector, fake_sleep):
    platform = await fake_platform()
    appview = AppView(platform)
    appview.add(*range(1, 5))
    appview.headers = {
        "RateLimit-Remaining": "1",
        "RateLimit-Reset": str(int(fake_sleep.clock.now) + 20),
    }
    pages = await collect_pages(connector, http_session, spec(platform, limit=2))
    assert numbers(pages) == [4, 3, 2, 1]
    assert fake_sleep.calls[0] == pytest.approx(20, abs=1)


async def test_5xx_timeout_truncated_malformed(
    fake_platform, http_session, timeout_session, connector
):
    platform = await fake_platform()
    AppView(platform).add(1, 2)
    platform.script(AUTHOR, Reply(status=502), Reply(status=500))
    assert numbers(await collect_pages(connector, http_session, spec(platform))) == [2, 1]
    platform.script(AUTHOR, *[Reply(status=503)] * 3)
    with pytest.raises(SourceUnavailable, match="HTTP 503"):
        await collect_pages(connector, http_session, spec(platform))
    platform.script(AUTHOR, Reply(hang=True), Reply(hang=True), Reply(hang=True))
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, timeout_session, spec(platform))
    platform.script(AUTHOR, *[Reply(body={"feed": [post_view(1)] * 30}, truncate=True)] * 3)
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, http_session, spec(platform))
    platform.script(AUTHOR, Reply(body="<html>oops</html>", content_type="text/html"))
    with pytest.raises(MalformedResponse, match="not valid JSON"):
        await collect_pages(connector, http_session, spec(platform))
    platform.script(AUTHOR, Reply(body={"posts": []}))
    with pytest.raises(MalformedResponse, match="expected a 'feed' list"):
        await collect_pages(connector, http_session, spec(platform))


async def test_unknown_actor_is_permanent(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(
        AUTHOR, Reply(status=400, body={"error": "InvalidRequest", "message": "Profile not found"})
    )
    with pytest.raises(PermanentError, match="Profile not found"):
        await collect_pages(connector, http_session, spec(platform))


# --------------------------------------------------------------------------- search sessions

CREDS = {"identifier": "officer.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"}


def session_body(n: int) -> dict[str, str]:
    return {
        "accessJwt": f"ACCESS-{n}",
        "refreshJwt": f"REFRESH-{n}",
        "did": "did:plc:me",
        "handle": "officer.bsky.social",
    }


async def test_search_logs_in_once_and_caches(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(LOGIN, Reply(body=session_body(1)), method="POST")
    AppView(platform, SEARCH, "posts").add(1, 2, 3)
    source = spec(platform, "search:hate speech", credentials=CREDS)
    pages = await collect_pages(connector, http_session, source)
    assert numbers(pages) == [3, 2, 1]
    again = BlueskyConnector(sleep=connector._sleep)  # a second sweep in the same process
    await collect_pages(again, http_session, source)
    assert platform.count(LOGIN) == 1
    login = json.loads(platform.requests[0].body)
    assert login == {"identifier": "officer.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    searches = [r for r in platform.requests if r.path == SEARCH]
    assert all(r.headers["Authorization"] == "Bearer ACCESS-1" for r in searches)
    assert searches[0].query["q"] == "hate speech" and searches[0].query["sort"] == "latest"


async def test_search_refreshes_expired_session(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(LOGIN, Reply(body=session_body(1)), method="POST")
    platform.on(REFRESH, Reply(body=session_body(2)), method="POST")
    platform.script(
        SEARCH, Reply(status=400, body={"error": "ExpiredToken", "message": "Token has expired"})
    )
    AppView(platform, SEARCH, "posts").add(1)
    pages = await collect_pages(
        connector, http_session, spec(platform, "search:x", credentials=CREDS)
    )
    assert numbers(pages) == [1]
    refresh = next(r for r in platform.requests if r.path == REFRESH)
    assert refresh.headers["Authorization"] == "Bearer REFRESH-1"
    assert platform.requests[-1].headers["Authorization"] == "Bearer ACCESS-2"


async def test_search_relogs_when_refresh_refused(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.script(LOGIN, Reply(body=session_body(1)), Reply(body=session_body(3)), method="POST")
    platform.on(REFRESH, Reply(status=400, body={"error": "ExpiredToken"}), method="POST")
    platform.script(SEARCH, Reply(status=400, body={"error": "ExpiredToken"}))
    AppView(platform, SEARCH, "posts").add(1)
    pages = await collect_pages(
        connector, http_session, spec(platform, "search:x", credentials=CREDS)
    )
    assert numbers(pages) == [1]
    assert platform.count(LOGIN) == 2
    assert platform.requests[-1].headers["Authorization"] == "Bearer ACCESS-3"


async def test_search_bad_password_is_auth_failed_without_secret(
    fake_platform, http_session, connector
):
    platform = await fake_platform()
    platform.on(
        LOGIN,
        Reply(
            status=401,
            body={"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
        ),
        method="POST",
    )
    with pytest.raises(AuthFailed) as info:
        await collect_pages(connector, http_session, spec(platform, "search:x", credentials=CREDS))
    assert "abcd-efgh-ijkl-mnop" not in str(info.value)
    with pytest.raises(AuthFailed, match="app_password"):
        await collect_pages(connector, http_session, spec(platform, "search:x"))


async def test_feed_generator_bounded_by_max_pages(fake_platform, http_session, connector):
    platform = await fake_platform()
    AppView(platform, "/xrpc/app.bsky.feed.getFeed").add(*range(1, 30))
    source = spec(platform, f"feed:{FEED_URI}", limit=5, max_pages=2)
    pages = await collect_pages(connector, http_session, source)
    assert len(pages) == 2 and len(numbers(pages)) == 10
    assert platform.requests[0].query["feed"] == FEED_URI


@pytest.mark.parametrize(
    "target", ["author:", "list:xyz", "feed:at://did:plc:x/app.bsky.graph.list/1", "tag:x"]
)
async def test_bad_targets(http_session, connector, target):
    with pytest.raises(PermanentError, match="author:HANDLE_OR_DID"):
        await collect_pages(connector, http_session, SourceSpec("bluesky", target))


# --------------------------------------------------------------------------- recorded responses


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "target", "path"),
    [
        (
            "getListFeed.json",
            "list:at://did:plc:x/app.bsky.graph.list/3k",
            "/xrpc/app.bsky.feed.getListFeed",
        ),
        ("getFeed_bsky_team.json", f"feed:{FEED_URI}", "/xrpc/app.bsky.feed.getFeed"),
        ("getAuthorFeed_2023.json", "author:chriskenny.bsky.social", AUTHOR),
    ],
)
async def test_recorded_feeds_parse(fake_platform, http_session, connector, name, target, path):
    body = shared_fixture("bluesky", name).read_bytes()
    data = json.loads(body)
    platform = await fake_platform()
    platform.on(path, Reply(body=body))
    pages = await collect_pages(
        connector, http_session, spec(platform, target), backfill_limit=1000, max_pages=1
    )
    posts = pages[0].posts
    assert pages[0].skipped == 0
    assert len(posts) == len({i["post"]["uri"] for i in data["feed"]})
    for post in posts:
        assert post.url.startswith("https://bsky.app/profile/") and "/post/" in post.url
        assert post.author_id and post.author_id.startswith("did:")


@pytest.mark.shared
async def test_recorded_search_parse(fake_platform, http_session, connector):
    body = shared_fixture("bluesky", "searchPosts_redistricting.json").read_bytes()
    platform = await fake_platform()
    platform.on(LOGIN, Reply(body=session_body(1)), method="POST")
    platform.on(SEARCH, Reply(body=body))
    pages = await collect_pages(
        connector,
        http_session,
        spec(platform, "search:redistricting", credentials=CREDS),
        backfill_limit=1000,
        max_pages=1,
    )
    assert pages[0].skipped == 0
    assert len(pages[0].posts) == len(json.loads(body)["posts"]) > 0


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from connectors.bluesky.parse import parse_post  # noqa: E402
from connectors.text import MAX_TEXT  # noqa: E402
from tests.connectors.conftest import assert_readable, hostile_text  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    text=hostile_text(),
    alt=hostile_text(4),
    handle=st.text(max_size=30),
    created=st.one_of(st.text(max_size=30), st.none(), st.integers()),
)
def test_post_normaliser_with_hostile_text(text, alt, handle, created):
    view = post_view(1)
    view["record"]["text"] = text
    view["record"]["createdAt"] = created
    view["author"]["handle"] = handle
    view["embed"] = {"images": [{"alt": alt}]}
    try:
        post = parse_post({"post": view}, source="prop")
    except MalformedResponse:
        return
    assert_readable(post.text)
    assert post.created_at.tzinfo is not None
    assert post.url.startswith("https://bsky.app/profile/")


def test_post_normaliser_bounds_huge_bodies():
    view = post_view(1, text="x" * 500_000)
    assert len(parse_post(view, source="prop").text) <= MAX_TEXT + 10
