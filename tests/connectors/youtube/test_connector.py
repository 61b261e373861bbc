"""YouTube comments connector against a local server that behaves like the Data API v3."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors.base import (
    AuthFailed,
    MalformedResponse,
    PermanentError,
    RateLimited,
    RetryPolicy,
    SourceSpec,
    SourceUnavailable,
)
from connectors.http.client import Response
from connectors.youtube.connector import YouTubeConnector, parse_target
from connectors.youtube.parse import comment_post, thread_parts, until_quota_reset
from tests.connectors.conftest import (
    FakePlatform,
    FakeSleep,
    Reply,
    collect_pages,
    last_cursor,
)
from tests.connectors.pages_and_sweeps import (
    assert_no_loss,
    captures,
    clone,
    fixture_obj,
    ids_of,
    posts_of,
    shared_file,
    sweep_into_db,
)

KEY = "AIzaSyTESTKEY-0123456789abcdefghijklmn"
VIDEO = "dQw4w9WgXcQ"
T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC).timestamp()  # 07:00 in Los Angeles (PST)


def make_thread(n: int, *, minutes: int) -> Any:
    thread = clone(fixture_obj("youtube", "comment_threads.json")["items"][0])
    tid = f"Ugz{n:021d}"
    when = (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    thread["id"] = tid
    top = thread["snippet"]["topLevelComment"]
    top["id"] = tid
    top["snippet"].update(publishedAt=when, updatedAt=when, textDisplay=f"comment {n}")
    reply = thread["replies"]["comments"][0]
    reply["id"] = f"{tid}.reply"
    reply["snippet"].update(parentId=tid, publishedAt=when)
    return thread


class FakeYouTube:
    """``commentThreads`` newest first, 3 per page with ``pageToken``; checks the API key."""

    def __init__(self, platform: FakePlatform, *, size: int = 3) -> None:
        self.threads: list[Any] = []
        self.size = size
        platform.on("/youtube/v3/commentThreads", self._threads)
        platform.on("/youtube/v3/comments", self._comments)

    def _check(self, request: web.Request) -> Reply | None:
        assert "key" not in request.query, "the API key must not travel in the URL"
        if request.headers.get("X-Goog-Api-Key") != KEY:
            return Reply(status=400, body=fixture_obj("youtube", "error_key_invalid_400.json"))
        return None

    async def _threads(self, request: web.Request) -> Reply:
        if (refused := self._check(request)) is not None:
            return refused
        assert request.query["order"] == "time" and request.query["videoId"] == VIDEO
        items = sorted(self.threads, reverse=True, key=lambda t: (
            t["snippet"]["topLevelComment"]["snippet"]["publishedAt"], t["id"]))
        start = int(request.query.get("pageToken", "T0")[1:])
        body = clone(fixture_obj("youtube", "comment_threads.json"))
        body["items"] = items[start:start + self.size]
        body.pop("nextPageToken")
        if start + self.size < len(items):
            body["nextPageToken"] = f"T{start + self.size}"
        return Reply(body=body)

    async def _comments(self, request: web.Request) -> Reply:
        if (refused := self._check(request)) is not None:
            return refused
        assert request.query["parentId"] == "UgyBBBBBBBBBBBBBBBBBBBBB"
        body = fixture_obj("youtube", "comments_replies.json")
        if request.query.get("pageToken") != "R2":
            body["items"] = body["items"][:2]
            body["nextPageToken"] = "R2"
        else:
            body["items"] = body["items"][2:]
        return Reply(body=body)


def source(platform: FakePlatform, target: str = f"video:{VIDEO}", key: str = KEY) -> SourceSpec:
    return SourceSpec(connector="youtube", target=target, base_url=f"{platform.url}/youtube/v3",
                      credentials={"api_key": key} if key else {})


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> YouTubeConnector:
    fake_sleep.clock.now = NOW
    return YouTubeConnector(sleep=fake_sleep, clock=fake_sleep.clock)


async def test_reads_threads_embedded_replies_and_paged_replies(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    FakeYouTube(platform)  # for its comments?parentId= pages
    threads = fixture_obj("youtube", "comment_threads.json")
    del threads["nextPageToken"]
    platform.on("/youtube/v3/commentThreads", Reply(body=threads))

    pages = await collect_pages(connector, http_session, source(platform))

    posts = posts_of(pages)
    assert [p.post_id for p in posts] == [
        "UgzAAAAAAAAAAAAAAAAAAAAA", "UgzAAAAAAAAAAAAAAAAAAAAA.9xReply0001",
        "UgyBBBBBBBBBBBBBBBBBBBBB", "UgyBBBBBBBBBBBBBBBBBBBBB.9xReply0001",
        "UgyBBBBBBBBBBBBBBBBBBBBB.9xReply0002", "UgyBBBBBBBBBBBBBBBBBBBBB.9xReply0003"]
    top, reply = posts[0], posts[1]
    assert top.url == f"https://www.youtube.com/watch?v={VIDEO}&lc=UgzAAAAAAAAAAAAAAAAAAAAA"
    assert top.author_handle == "@townwatcher" and top.author_id == "UCtownwatcher0000000000a"
    assert top.text == "Great coverage of the parade & fair\nThanks!"
    assert top.thread_id == "UgzAAAAAAAAAAAAAAAAAAAAA" and top.parent_id is None
    assert top.created_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert reply.parent_id == "UgzAAAAAAAAAAAAAAAAAAAAA"
    paged = posts[3]
    assert paged.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={paged.post_id}"
    assert json.loads(paged.raw)["snippet"]["textDisplay"] == "reply 1"
    replies = [r for r in platform.requests if r.path.endswith("/comments")]
    assert [r.query.get("pageToken") for r in replies] == [None, "R2"]
    assert all(r.headers["X-Goog-Api-Key"] == KEY for r in platform.requests)


async def test_walks_pages_with_page_tokens_and_respects_backfill(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    fake = FakeYouTube(platform)
    fake.threads = [make_thread(n, minutes=n) for n in range(1, 9)]

    every = await collect_pages(connector, http_session, source(platform))
    assert [p.post_id for p in posts_of(every) if p.parent_id is None] == [
        f"Ugz{n:021d}" for n in range(8, 0, -1)]
    tokens = [r.query.get("pageToken") for r in platform.requests]
    assert tokens == [None, "T3", "T6"]

    limited = await collect_pages(connector, http_session, source(platform), backfill_limit=2)
    assert [p.post_id for p in posts_of(limited) if p.parent_id is None] == [
        f"Ugz{n:021d}" for n in (8, 7)]


async def test_resumes_after_a_crash_without_loss(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    fake = FakeYouTube(platform)
    fake.threads = [make_thread(n, minutes=n) for n in range(1, 4)]
    src = source(platform)
    cursor = last_cursor(await collect_pages(connector, http_session, src))

    fake.threads += [make_thread(n, minutes=n) for n in range(4, 12)]
    crashed = await collect_pages(connector, http_session, src, cursor, max_pages=1)
    assert json.loads(last_cursor(crashed) or "")["page"] == "T3"
    resumed = await collect_pages(connector, http_session, src, last_cursor(crashed))

    assert_no_loss([f"Ugz{n:021d}" for n in range(4, 12)], crashed, resumed)
    quiet = await collect_pages(connector, http_session, src, last_cursor(resumed))
    assert {p.post_id for p in posts_of(quiet) if p.parent_id is None} == {f"Ugz{11:021d}"}


@pytest.mark.parametrize("reason", ["quotaExceeded", "rateLimitExceeded"])
async def test_quota_exhaustion_waits_until_midnight_pacific(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector,
    caplog: pytest.LogCaptureFixture, reason: str,
) -> None:
    platform = await fake_platform()
    FakeYouTube(platform)
    body = fixture_obj("youtube", "error_quota_exceeded_403.json")
    body["error"]["errors"][0]["reason"] = reason
    platform.script("/youtube/v3/commentThreads", Reply(status=403, body=body))

    with caplog.at_level(logging.DEBUG), pytest.raises(RateLimited) as err:
        await collect_pages(connector, http_session, source(platform))

    assert err.value.retry_after == 17 * 3600  # 07:00 PST → midnight PST
    assert reason in str(err.value)
    assert KEY not in str(err.value) and KEY not in caplog.text


@pytest.mark.parametrize(("now", "hours"), [
    (datetime(2026, 11, 28, 15, 0, tzinfo=UTC), 17),  # PST, UTC-8
    (datetime(2026, 7, 1, 6, 59, tzinfo=UTC), 1 / 60),  # 23:59 PDT
    (datetime(2026, 3, 7, 20, 0, tzinfo=UTC), 12),  # noon PST before the spring change
    (datetime(2026, 3, 8, 12, 0, tzinfo=UTC), 19),  # 05:00 PDT on the day of the change
])
def test_quota_reset_is_the_next_pacific_midnight(now: datetime, hours: float) -> None:
    assert until_quota_reset(now) == pytest.approx(max(1.0, hours * 3600))


@pytest.mark.parametrize(("status", "name", "error"), [
    (400, "error_key_invalid_400.json", AuthFailed),
    (403, "error_forbidden_403.json", AuthFailed),
    (403, "error_comments_disabled_403.json", PermanentError),
    (404, "error_video_not_found_404.json", PermanentError),
])
async def test_api_errors_are_classified_without_leaking_the_key(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector,
    status: int, name: str, error: type[Exception],
) -> None:
    platform = await fake_platform()
    FakeYouTube(platform)
    body = fixture_obj("youtube", name)
    body["error"]["message"] += f" (key {KEY})"  # even an echoed key must not come back
    platform.script("/youtube/v3/commentThreads", Reply(status=status, body=body))

    with pytest.raises(error) as err:
        await collect_pages(connector, http_session, source(platform))
    assert KEY not in str(err.value)
    assert f"video:{VIDEO}" in str(err.value)


async def test_a_wrong_or_missing_key_is_an_auth_failure(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    FakeYouTube(platform)
    with pytest.raises(AuthFailed, match="keyInvalid"):
        await collect_pages(connector, http_session, source(platform, key="wrong-key-123"))
    with pytest.raises(AuthFailed, match="needs an API key"):
        await collect_pages(connector, http_session, source(platform, key=""))


async def test_transport_failures_recover_or_are_reported(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector,
    fake_sleep: FakeSleep,
) -> None:
    platform = await fake_platform()
    fake = FakeYouTube(platform)
    fake.threads = [make_thread(1, minutes=1)]
    platform.script("/youtube/v3/commentThreads", Reply(status=503, body="backend error"),
                    Reply(body={"items": [make_thread(1, minutes=1)]}, truncate=True))
    assert ids_of(await collect_pages(connector, http_session, source(platform))) == [
        f"Ugz{1:021d}", f"Ugz{1:021d}.reply"]
    assert len(fake_sleep.calls) == 2

    platform.script("/youtube/v3/commentThreads",
                    Reply(body='{"items": [', content_type="application/json"))
    with pytest.raises(MalformedResponse, match="not valid JSON"):
        await collect_pages(connector, http_session, source(platform))

    platform.on("/youtube/v3/commentThreads", Reply(status=500, body="down"))
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, http_session, source(platform))


async def test_timeouts_become_source_unavailable(
    fake_platform: Any, timeout_session: aiohttp.ClientSession, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    platform.on("/youtube/v3/commentThreads", Reply(hang=True))
    connector = YouTubeConnector(sleep=fake_sleep, retry=RetryPolicy(max_attempts=2))

    with pytest.raises(SourceUnavailable) as err:
        await collect_pages(connector, timeout_session, source(platform))
    assert KEY not in str(err.value)


async def test_a_malformed_thread_is_skipped_and_the_page_kept(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    platform = await fake_platform()
    fake = FakeYouTube(platform)
    broken = make_thread(2, minutes=2)
    del broken["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
    no_author = make_thread(3, minutes=3)
    del no_author["replies"]["comments"][0]["snippet"]["authorDisplayName"]
    fake.threads = [make_thread(1, minutes=1), no_author]

    with caplog.at_level(logging.WARNING):
        pages = await collect_pages(connector, http_session, source(platform))
    assert ids_of(pages) == [f"Ugz{3:021d}", f"Ugz{1:021d}", f"Ugz{1:021d}.reply"]
    assert sum(p.skipped for p in pages) == 1
    assert "youtube:video:" in caplog.text

    platform.script("/youtube/v3/commentThreads", Reply(body={"items": [broken, "junk"]}))
    pages = await collect_pages(connector, http_session, source(platform))
    assert ids_of(pages) == [] and pages[0].skipped == 2


async def test_a_channel_reads_all_threads_related_to_it(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector
) -> None:
    platform = await fake_platform()
    threads = fixture_obj("youtube", "comment_threads.json")
    del threads["nextPageToken"]
    threads["items"][1]["snippet"]["totalReplyCount"] = 1
    threads["items"][1]["snippet"]["videoId"] = "abcdefghijk"
    threads["items"][1]["snippet"]["topLevelComment"]["snippet"]["videoId"] = "abcdefghijk"
    platform.on("/youtube/v3/commentThreads", Reply(body=threads))
    channel = "UCabcdefghijklmnopqrstuv"

    pages = await collect_pages(connector, http_session, source(platform, f"channel:{channel}"))

    assert platform.requests[0].query["allThreadsRelatedToChannelId"] == channel
    assert "videoId" not in platform.requests[0].query
    urls = [p.url for p in posts_of(pages)]
    assert urls[2] == "https://www.youtube.com/watch?v=abcdefghijk&lc=UgyBBBBBBBBBBBBBBBBBBBBB"


def test_target_grammar() -> None:
    assert parse_target("video:dQw4w9WgXcQ", source="s") == ("videoId", "dQw4w9WgXcQ")
    assert parse_target("channel:UC_x5XG1OV2P6uZZ5FSM9Ttw", source="s") == (
        "allThreadsRelatedToChannelId", "UC_x5XG1OV2P6uZZ5FSM9Ttw")
    assert parse_target("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1", source="s")[1] == VIDEO
    assert parse_target("https://youtu.be/dQw4w9WgXcQ", source="s")[1] == VIDEO
    assert parse_target("dQw4w9WgXcQ", source="s")[1] == VIDEO
    for bad in ("video:short", "channel:nope", "https://example.com/watch?v=x"):
        with pytest.raises(PermanentError, match="not a YouTube target"):
            parse_target(bad, source="s")


# --------------------------------------------------------------------------- recorded responses


def _response(body: bytes) -> Response:
    return Response(status=200, headers={}, body=body, url="https://www.googleapis.com/x")


@pytest.mark.parametrize("name", [
    "pyyoutube_comment_threads_by_video_paged_1.json",
    "pyyoutube_comment_threads_by_video_paged_2.json",
    "pyyoutube_comment_threads_with_search.json",
    "pyyoutube_comment_thread_single.json",
])
def test_recorded_comment_threads_parse(name: str) -> None:
    body = shared_file("youtube", name).read_bytes()
    data = json.loads(body)
    assert data["items"]
    for thread in data["items"]:
        _key, tid, snip, _replies = thread_parts(thread, source="s")
        post = comment_post(snip["topLevelComment"], video_id=snip.get("videoId"),
                            channel_id=snip.get("channelId"), thread_id=tid, source="s",
                            response=_response(body))
        assert post.post_id == tid and post.author_handle and post.created_at.tzinfo
        assert post.url.startswith("https://www.youtube.com/")
        assert "<a href" not in post.text


def test_recorded_replies_parse() -> None:
    body = shared_file("youtube", "pyyoutube_comments_by_parent_paged_1.json").read_bytes()
    for item in json.loads(body)["items"]:
        post = comment_post(item, video_id="F1UP7wRCPH8", channel_id=None,
                            thread_id=item["snippet"]["parentId"], source="s",
                            response=_response(body))
        assert post.parent_id == "Ugw5zYU6n9pmIgAZWvN4AaABAg"
        assert post.url == f"https://www.youtube.com/watch?v=F1UP7wRCPH8&lc={post.post_id}"


@pytest.mark.parametrize(("name", "status", "error"), [
    ("pyyoutube_error_keyInvalid_400.json", 400, AuthFailed),
    ("pyyoutube_error_permission_403.json", 403, AuthFailed),
])
async def test_recorded_errors_classify(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: YouTubeConnector,
    name: str, status: int, error: type[Exception],
) -> None:
    body = shared_file("youtube", name).read_bytes()
    platform = await fake_platform()
    platform.on("/youtube/v3/commentThreads", Reply(status=status, body=body))
    with pytest.raises(error):
        await collect_pages(connector, http_session, source(platform))


async def test_sweeps_into_the_database_with_the_key_from_the_environment(
    fake_platform: Any, db: Any, settings: Any, connector: YouTubeConnector,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HATE_MONITOR_YOUTUBE_API_KEY", KEY)
    platform = await fake_platform()
    FakeYouTube(platform).threads = [make_thread(n, minutes=n) for n in range(1, 5)]

    result = await sweep_into_db(db, settings, connector, name="video", connector_name="youtube",
                                 target=f"video:{VIDEO}", base_url=f"{platform.url}/youtube/v3")

    assert (result.fetched, result.new, result.error) == (8, 8, None)
    stored = captures(db)
    assert all(c.url.startswith(f"https://www.youtube.com/watch?v={VIDEO}&lc=") for c in stored)
    assert all(KEY.encode() not in c.raw for c in stored)
