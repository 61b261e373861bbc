"""Each platform's post URL is fetched through its API and parsed by the connector's own parser;
gone or unreadable posts give None."""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest

import connectors.reddit.auth as reddit_auth
from connectors.http.parse import item_raw
from connectors.post import Post
from connectors.resolve import dispatch
from connectors.resolve.dispatch import fetch_post_by_url
from monitor.config import Settings
from tests.connectors.resolve.conftest import FakePlatform, fixture_json, fixture_text, resolve_args

ALLOWED = frozenset({"social.example", "forum.example", "lemmy.example"})


async def fetch(http: aiohttp.ClientSession, fake: FakePlatform, url: str,
                settings: Settings) -> Post | None:
    return await fetch_post_by_url(http, url, **resolve_args(settings), allowed_hosts=ALLOWED,
                                   api_base=fake.url)


@pytest.fixture(autouse=True)
def _fresh_tokens() -> None:
    reddit_auth._TOKENS.clear()


def mastodon_status() -> dict[str, Any]:
    status: dict[str, Any] = fixture_json("mastodon", "tag_timeline.json")[0]
    return status


# --------------------------------------------------------------------------- Mastodon


@pytest.mark.parametrize("url", [
    "https://social.example/@alice/113000000000000003",
    "https://social.example/users/alice/statuses/113000000000000003",
])
async def test_mastodon_status(http: aiohttp.ClientSession, fake: FakePlatform,
                               settings: Settings, url: str) -> None:
    status = mastodon_status()
    fake.on("/api/v1/statuses/113000000000000003", status)
    post = await fetch(http, fake, url, settings)
    assert post is not None
    assert post.platform == "mastodon"
    assert post.url == status["url"]
    assert post.author_handle.startswith("alice")
    assert post.raw == item_raw(status)
    assert post.response == json.dumps(status).encode()
    assert fake.paths() == ["/api/v1/statuses/113000000000000003"]


async def test_mastodon_deleted_is_none_and_logged(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.on("/api/v1/statuses/5", {"error": "Record not found"}, status=404)
    with caplog.at_level(logging.INFO, logger="connectors.resolve"):
        assert await fetch(http, fake, "https://social.example/@alice/5", settings) is None
    assert "HTTP 404" in caplog.text


@pytest.mark.parametrize("answer", [
    {"text": "{not json", "content_type": "application/json"},
    {"body": [1, 2, 3]},
    {"body": {"id": "5", "content": "no account, no date"}},
    {"text": "<html>maintenance</html>", "content_type": "text/html"},
])
async def test_malformed_body_is_none(http: aiohttp.ClientSession, fake: FakePlatform,
                                      settings: Settings, answer: dict[str, Any]) -> None:
    fake.on("/api/v1/statuses/5", **answer)
    assert await fetch(http, fake, "https://social.example/@alice/5", settings) is None


@pytest.mark.parametrize("status", [401, 403, 410, 429, 500, 503])
async def test_refusals_and_errors_are_none(http: aiohttp.ClientSession, fake: FakePlatform,
                                            settings: Settings, status: int) -> None:
    fake.on("/api/v1/statuses/5", {"error": "x"}, status=status)
    assert await fetch(http, fake, "https://social.example/@alice/5", settings) is None
    assert len(fake.requests) == 1  # one quick try: the moderator is waiting


async def test_oversized_body_is_none(http: aiohttp.ClientSession, fake: FakePlatform,
                                      settings: Settings) -> None:
    fake.on("/api/v1/statuses/5", text="x" * (3 * 1024 * 1024))
    assert await fetch(http, fake, "https://social.example/@alice/5", settings) is None


async def test_slow_platform_is_given_up(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings,
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(dispatch, "TOTAL_TIMEOUT_S", 0.2)
    fake.on("/api/v1/statuses/5", mastodon_status(), delay=2.0)
    with caplog.at_level(logging.INFO, logger="connectors.resolve"):
        assert await fetch(http, fake, "https://social.example/@alice/5", settings) is None
    assert "no answer within" in caplog.text


# --------------------------------------------------------------------------- Bluesky


async def test_bluesky_post(http: aiohttp.ClientSession, fake: FakePlatform,
                            settings: Settings) -> None:
    view = fixture_json("bluesky", "author_feed.json")["feed"][0]["post"]
    did = view["author"]["did"]
    fake.on("/xrpc/com.atproto.identity.resolveHandle", {"did": did})
    fake.on("/xrpc/app.bsky.feed.getPosts", {"posts": [view]})
    url = "https://bsky.app/profile/alice.example.com/post/3lbbbbbbbbbb2"
    post = await fetch(http, fake, url, settings)
    assert post is not None and post.platform == "bluesky"
    assert post.post_id == f"at://{did}/app.bsky.feed.post/3lbbbbbbbbbb2"
    assert post.url == url and post.author_handle == "alice.example.com"
    assert fake.requests[0].query == {"handle": "alice.example.com"}
    assert fake.requests[1].query == {"uris": post.post_id}


async def test_bluesky_deleted_and_unknown_handle(http: aiohttp.ClientSession, fake: FakePlatform,
                                                  settings: Settings) -> None:
    fake.on("/xrpc/app.bsky.feed.getPosts", {"posts": []})
    url = "https://bsky.app/profile/did:plc:alice0000000000000000000/post/3lbbbbbbbbbb2"
    assert await fetch(http, fake, url, settings) is None
    assert fake.paths() == ["/xrpc/app.bsky.feed.getPosts"]  # a did needs no resolving
    fake.on("/xrpc/com.atproto.identity.resolveHandle", {"error": "InvalidRequest"}, status=400)
    url = "https://bsky.app/profile/nobody.example.com/post/3lbbbbbbbbbb2"
    assert await fetch(http, fake, url, settings) is None


# --------------------------------------------------------------------------- Reddit


def reddit_listing(kind: str) -> dict[str, Any]:
    name = "new.json" if kind == "t3" else "comments.json"
    child = fixture_json("reddit", name)["data"]["children"][0]
    return {"kind": "Listing", "data": {"children": [child]}}


@pytest.mark.parametrize(("url", "fullname"), [
    # the fake server answers; the real host is never contacted
    ("https://www.reddit.com/r/unitedkingdom/comments/zz0002/a_post/", "t3_zz0002"),  # expected
    ("https://old.reddit.com/r/unitedkingdom/comments/zz0002/", "t3_zz0002"),
    ("https://redd.it/zz0002", "t3_zz0002"),
    ("https://np.reddit.com/r/unitedkingdom/comments/zz0002/a_self_post/k00002/", "t1_k00002"),
])
async def test_reddit_through_oauth(http: aiohttp.ClientSession, fake: FakePlatform,
                                    creds_settings: Settings, url: str, fullname: str) -> None:
    fake.on("/api/v1/access_token", fixture_json("reddit", "access_token.json"))
    fake.on("/api/info", reddit_listing(fullname[:2]))
    post = await fetch(http, fake, url, creds_settings)
    assert post is not None and post.platform == "reddit"
    assert post.post_id == fullname
    assert post.url.startswith("https://www.reddit.com/r/unitedkingdom/comments/zz0002/")
    token_req, info_req = fake.requests
    assert token_req.method == "POST" and token_req.form == {"grant_type": "client_credentials"}
    assert token_req.headers["Authorization"].startswith("Basic ")
    assert info_req.query == {"id": fullname, "raw_json": "1"}
    assert info_req.headers["Authorization"] == "bearer APP-TOKEN-1"
    assert info_req.headers["User-Agent"] == "test:hm:1"


async def test_reddit_without_credentials_fetches_nothing(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HATE_MONITOR_REDDIT_CLIENT_ID", raising=False)
    monkeypatch.delenv("HATE_MONITOR_REDDIT_CLIENT_SECRET", raising=False)
    url = "https://www.reddit.com/r/unitedkingdom/comments/zz0002/a_self_post/"
    assert await fetch(http, fake, url, settings) is None
    assert fake.requests == []  # no scraping of the public site instead


@pytest.mark.parametrize("listing", [
    {"kind": "Listing", "data": {"children": []}},
    "removed",
])
async def test_reddit_gone(http: aiohttp.ClientSession, fake: FakePlatform,
                           creds_settings: Settings, listing: Any) -> None:
    if listing == "removed":
        listing = reddit_listing("t3")
        listing["data"]["children"][0]["data"].update(selftext="[removed]",
                                                       removed_by_category="moderator")
    fake.on("/api/v1/access_token", fixture_json("reddit", "access_token.json"))
    fake.on("/api/info", listing)
    url = "https://www.reddit.com/r/unitedkingdom/comments/zz0002/a_self_post/"
    assert await fetch(http, fake, url, creds_settings) is None


async def test_reddit_secret_not_logged(
    http: aiohttp.ClientSession, fake: FakePlatform, creds_settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.on("/api/v1/access_token", {"error": "s3cret-value rejected"}, status=500)
    url = "https://www.reddit.com/r/unitedkingdom/comments/zz0002/a_self_post/"
    with caplog.at_level(logging.DEBUG):
        assert await fetch(http, fake, url, creds_settings) is None
    assert "s3cret-value" not in caplog.text


# --------------------------------------------------------------------------- Discourse


@pytest.mark.parametrize("url", [
    "https://forum.example/t/bus-station-incident/77/3",
    "https://forum.example/t/77/3",
])
async def test_discourse_post(http: aiohttp.ClientSession, fake: FakePlatform,
                              settings: Settings, url: str) -> None:
    item = fixture_json("discourse", "latest_posts.json")["latest_posts"][0]
    fake.on("/posts/by_number/77/3.json", item)
    post = await fetch(http, fake, url, settings)
    assert post is not None and post.platform == "discourse"
    assert post.post_id == "forum.example/t/77/3"
    assert post.url == "https://forum.example/t/bus-station-incident/77/3"
    assert post.author_handle == "dana"


async def test_discourse_topic_url_means_first_post(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings
) -> None:
    assert await fetch(http, fake, "https://forum.example/t/some-topic/77", settings) is None
    assert fake.paths() == ["/posts/by_number/77/1.json"]


async def test_discourse_deleted(http: aiohttp.ClientSession, fake: FakePlatform,
                                 settings: Settings) -> None:
    item = fixture_json("discourse", "latest_posts.json")["latest_posts"][0]
    fake.on("/posts/by_number/77/3.json", {**item, "deleted_at": "2026-01-01T00:00:00Z"})
    assert await fetch(http, fake, "https://forum.example/t/x/77/3", settings) is None


# --------------------------------------------------------------------------- Lemmy


async def test_lemmy_post_and_comment(http: aiohttp.ClientSession, fake: FakePlatform,
                                      settings: Settings) -> None:
    fake.on("/api/v3/post", {"post_view": fixture_json("lemmy", "post_view.json")})
    fake.on("/api/v3/comment", {"comment_view": fixture_json("lemmy", "comment_view.json")})
    post = await fetch(http, fake, "https://lemmy.example/post/101", settings)
    assert post is not None and post.post_id == "lemmy.example/post/101"
    assert post.response is not None
    comment = await fetch(http, fake, "https://lemmy.example/comment/501", settings)
    assert comment is not None and comment.post_id == "lemmy.example/comment/501"
    assert [r.query for r in fake.requests] == [{"id": "101"}, {"id": "501"}]


async def test_lemmy_removed(http: aiohttp.ClientSession, fake: FakePlatform,
                             settings: Settings) -> None:
    view = fixture_json("lemmy", "post_view.json")
    view["post"]["removed"] = True
    fake.on("/api/v3/post", {"post_view": view})
    assert await fetch(http, fake, "https://lemmy.example/post/101", settings) is None


# --------------------------------------------------------------------------- Telegram


TELEGRAM_POST_URLS = ["https://t.me/localtownnews/111", "https://t.me/s/localtownnews/111"]


@pytest.mark.parametrize("url", TELEGRAM_POST_URLS)
async def test_telegram_message(http: aiohttp.ClientSession, fake: FakePlatform,
                                settings: Settings, url: str) -> None:
    fake.on("/s/localtownnews", text=fixture_text("telegram", "rich_page.html"),
            content_type="text/html")
    post = await fetch(http, fake, url, settings)
    assert post is not None and post.platform == "telegram"
    assert post.post_id == "localtownnews/111" and post.url == "https://t.me/localtownnews/111"
    assert post.raw_content_type == "text/html"
    assert fake.requests[0].query == {"before": "112"}


async def test_telegram_message_not_in_page(http: aiohttp.ClientSession, fake: FakePlatform,
                                            settings: Settings) -> None:
    fake.on("/s/localtownnews", text=fixture_text("telegram", "rich_page.html"),
            content_type="text/html")
    assert await fetch(http, fake, "https://t.me/localtownnews/113", settings) is None
    fake.on("/s/localtownnews", text=fixture_text("telegram", "no_preview.html"),
            content_type="text/html")
    assert await fetch(http, fake, "https://t.me/localtownnews/111", settings) is None


# --------------------------------------------------------------------------- YouTube


async def test_youtube_comment(http: aiohttp.ClientSession, fake: FakePlatform,
                               creds_settings: Settings) -> None:
    data = fixture_json("youtube", "comments_replies.json")
    cid = data["items"][0]["id"]
    fake.on("/youtube/v3/comments", {**data, "items": data["items"][:1]})
    url = f"https://www.youtube.com/watch?v=dQw4w9WgXcQ&lc={cid}"
    post = await fetch(http, fake, url, creds_settings)
    assert post is not None and post.platform == "youtube" and post.post_id == cid
    assert post.url == url
    assert post.thread_id == cid.split(".")[0]
    assert fake.requests[0].query["id"] == cid
    assert fake.requests[0].headers["X-Goog-Api-Key"] == "yt-key-123456"


async def test_youtube_without_key_or_gone(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings,
    creds_settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HATE_MONITOR_YOUTUBE_API_KEY", raising=False)
    url = "https://youtu.be/dQw4w9WgXcQ?lc=UgyBBBBBBBBBBBBBBBBBBBBB"
    assert await fetch(http, fake, url, settings) is None
    assert fake.requests == []
    fake.on("/youtube/v3/comments", {"kind": "youtube#commentListResponse", "items": []})
    assert await fetch(http, fake, url, creds_settings) is None
    # A video link without a comment is not one post.
    assert await fetch(http, fake, "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                       creds_settings) is None
    assert len(fake.requests) == 1
