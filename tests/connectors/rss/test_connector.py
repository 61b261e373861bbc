"""RSS/Atom connector against a local server with ETag / Last-Modified like a real web server."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
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
from connectors.rss.connector import RssConnector, feed_url
from connectors.rss.parse import entry_raw, entry_text, parse_feed
from tests.connectors.conftest import FakePlatform, FakeSleep, Reply, collect_pages, last_cursor
from tests.connectors.pages_and_sweeps import (
    captures,
    fixture_text,
    ids_of,
    posts_of,
    shared_file,
    sweep_into_db,
)

FEED_PATH = "/comments/feed/"
ETAG = '"v1"'
MODIFIED = "Sun, 01 Nov 2026 12:30:00 GMT"
RSS = "application/rss+xml; charset=UTF-8"


class FakeFeedServer:
    """Serves one feed; answers 304 when the client's validators match."""

    def __init__(self, platform: FakePlatform, body: str, *, content_type: str = RSS) -> None:
        self.body = body
        self.etag = ETAG
        self.content_type = content_type
        platform.on(FEED_PATH, self._serve)

    async def _serve(self, request: web.Request) -> Reply:
        if request.headers.get("If-None-Match") == self.etag:
            return Reply(status=304, headers={"ETag": self.etag})
        return Reply(body=self.body, content_type=self.content_type,
                     headers={"ETag": self.etag, "Last-Modified": MODIFIED,
                              "Date": "Sun, 01 Nov 2026 13:00:00 GMT"})


def source(platform: FakePlatform, path: str = FEED_PATH) -> SourceSpec:
    return SourceSpec(connector="rss", target=f"https://gazette.example{path}",
                      base_url=platform.url)


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> RssConnector:
    return RssConnector(sleep=fake_sleep)


async def test_reads_a_comment_feed_and_skips_an_entry_without_identity(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    platform = await fake_platform()
    FakeFeedServer(platform, fixture_text("rss", "comments.rss"))

    with caplog.at_level(logging.WARNING):
        pages = await collect_pages(connector, http_session, source(platform))

    assert len(pages) == 1 and pages[0].skipped == 1
    assert "Comment with no identity" in caplog.text and "rss:" in caplog.text
    posts = posts_of(pages)
    assert [p.post_id for p in posts] == [
        "https://gazette.example/?p=412#comment-903",
        "https://gazette.example/?p=412#comment-902",
        "https://gazette.example/comments/feed/#880",  # a bare guid is scoped to its feed
    ]
    pat = posts[0]
    assert pat.url == "https://gazette.example/2026/11/library-hours/#comment-903"
    assert pat.thread_id == "https://gazette.example/2026/11/library-hours/"
    assert pat.author_handle == "Pat"
    assert pat.language == "en-gb"
    assert pat.created_at == datetime(2026, 11, 1, 12, 30, tzinfo=UTC)
    assert pat.text == ("Comment on Library to close early by Pat\n\nShame, the library is the "
                        "only warm place for some people.\nWrite to the council!")
    assert posts[1].created_at == datetime(2026, 11, 1, 10, 15, tzinfo=UTC)
    assert "steal" not in posts[1].text and "&" in posts[1].text
    assert json.loads(pat.raw)["author"] == "Pat"
    assert pat.response == fixture_text("rss", "comments.rss").encode("utf-8")
    assert "If-None-Match" not in platform.requests[0].headers
    assert json.loads(last_cursor(pages) or "") == {
        "etag": ETAG, "last_modified": MODIFIED, "floor": "2026-10-31T18:00:00+00:00"}


async def test_a_second_fetch_is_conditional_and_304_means_nothing_new(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    FakeFeedServer(platform, fixture_text("rss", "comments.rss"))
    cursor = last_cursor(await collect_pages(connector, http_session, source(platform)))

    pages = await collect_pages(connector, http_session, source(platform), cursor)

    assert platform.requests[1].headers["If-None-Match"] == ETAG
    assert platform.requests[1].headers["If-Modified-Since"] == MODIFIED
    assert len(pages) == 1 and pages[0].posts == () and pages[0].cursor == cursor


async def test_first_run_backfill_then_only_entries_since_its_floor(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    server = FakeFeedServer(platform, fixture_text("rss", "comments.rss"))
    first = await collect_pages(connector, http_session, source(platform), backfill_limit=1)
    assert ids_of(first) == ["https://gazette.example/?p=412#comment-903"]

    server.etag = '"v2"'
    again = await collect_pages(connector, http_session, source(platform), last_cursor(first))
    # The entry at the floor is read again (harmless); older ones stay out.
    assert ids_of(again) == ["https://gazette.example/?p=412#comment-903"]


async def test_a_backfill_limit_of_zero_only_sets_the_starting_point(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    FakeFeedServer(platform, fixture_text("rss", "comments.rss"))
    pages = await collect_pages(connector, http_session, source(platform), backfill_limit=0)
    assert ids_of(pages) == []
    # The next run reads only from the newest entry on (the one at the floor again, harmless).
    again = await collect_pages(connector, http_session, source(platform), last_cursor(pages))
    assert len(ids_of(again)) <= 1


async def test_an_atom_feed_with_language_and_author_uri(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    FakeFeedServer(platform, fixture_text("rss", "blog.atom"), content_type="application/atom+xml")

    post = posts_of(await collect_pages(connector, http_session, source(platform)))[0]

    assert post.post_id == "tag:blog.example,2026:ffair"
    assert post.url == "https://blog.example/2026/ffair"
    assert post.author_handle == "Elin" and post.author_id == "https://blog.example/elin"
    assert post.language == "cy"
    assert post.created_at == datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    assert post.text == "Ffair y Gaeaf <3\n\nDewch i'r ffair!"  # a text title keeps its "<"


@pytest.mark.parametrize(("body", "content_type", "reason"), [
    (fixture_text("rss", "not_a_feed.html"), "text/html", "HTML page, not an RSS/Atom feed"),
    ("", RSS, "the body is empty"),
    ("{\"not\": \"xml\"}", "application/json", "not a readable RSS/Atom feed"),
])
async def test_malformed_feeds_are_reported(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector,
    body: str, content_type: str, reason: str,
) -> None:
    platform = await fake_platform()
    FakeFeedServer(platform, body, content_type=content_type)

    with pytest.raises(MalformedResponse, match=reason) as err:
        await collect_pages(connector, http_session, source(platform))
    assert platform.url in str(err.value)


async def test_a_truncated_feed_keeps_the_entries_read_before_the_cut(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    platform = await fake_platform()
    text = fixture_text("rss", "comments.rss")
    FakeFeedServer(platform, text[: text.index("<title>Comment on Bus changes")])

    with caplog.at_level(logging.WARNING):
        pages = await collect_pages(connector, http_session, source(platform))

    assert len(ids_of(pages)) == 2
    assert "not well-formed" in caplog.text


async def test_a_body_naming_a_local_file_is_never_opened(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector,
    tmp_path: Path,
) -> None:
    # feedparser.parse(bytes) would open a file of that name; the connector must not.
    secret = tmp_path / "secret.rss"
    secret.write_text(fixture_text("rss", "comments.rss"), encoding="utf-8")
    platform = await fake_platform()
    FakeFeedServer(platform, str(secret))

    with pytest.raises(MalformedResponse):
        await collect_pages(connector, http_session, source(platform))


async def test_transport_failures(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector,
    fake_sleep: FakeSleep,
) -> None:
    platform = await fake_platform()
    body = fixture_text("rss", "comments.rss")
    FakeFeedServer(platform, body)
    platform.script(FEED_PATH, Reply(status=503), Reply(body=body, truncate=True))
    assert len(ids_of(await collect_pages(connector, http_session, source(platform)))) == 3
    assert len(fake_sleep.calls) == 2

    platform.script(FEED_PATH, Reply(status=429, headers={"Retry-After": "120"}))
    with pytest.raises(RateLimited) as limited:
        await collect_pages(connector, http_session, source(platform))
    assert limited.value.retry_after == 120

    platform.script(FEED_PATH, Reply(status=403, body="members only"))
    with pytest.raises(AuthFailed):
        await collect_pages(connector, http_session, source(platform))

    with pytest.raises(PermanentError, match="not found"):
        await collect_pages(connector, http_session, source(platform, "/gone.rss"))


async def test_timeouts_become_source_unavailable(
    fake_platform: Any, timeout_session: aiohttp.ClientSession, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    platform.on(FEED_PATH, Reply(hang=True))
    connector = RssConnector(sleep=fake_sleep, retry=RetryPolicy(max_attempts=2))

    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, timeout_session, source(platform))


def test_feed_urls() -> None:
    plain = SourceSpec(connector="rss", target="https://gazette.example/feed?x=1")
    assert feed_url(plain) == "https://gazette.example/feed?x=1"
    mirrored = SourceSpec(connector="rss", target="https://gazette.example/feed?x=1",
                          base_url="http://127.0.0.1:9/")
    assert feed_url(mirrored) == "http://127.0.0.1:9/feed?x=1"
    relative = SourceSpec(connector="rss", target="/posts.rss", base_url="http://h.example")
    assert feed_url(relative) == "http://h.example/posts.rss"
    for bad in ("gazette.example/feed", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(PermanentError, match="not a feed URL"):
            feed_url(SourceSpec(connector="rss", target=bad))


async def test_a_garbled_cursor_is_a_clear_error(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    with pytest.raises(PermanentError, match="cursor"):
        await collect_pages(connector, http_session, source(platform), '{"etag": 5}')


# --------------------------------------------------------------------------- recorded feeds


def test_recorded_discourse_feed() -> None:
    body = shared_file("rss", "xertrov_discourse_posts.rss").read_bytes()
    feed = parse_feed(body, url="u", content_type="application/rss+xml", source="s")
    assert len(feed.entries) == 50 and feed.bozo_reason == ""
    first = feed.entries[0]
    assert entry_raw(first) == entry_raw(parse_feed(body, url="u", content_type="",
                                                    source="s").entries[0])
    assert all(entry_text(e) for e in feed.entries)
    assert all("<" not in entry_text(e).split("\n")[0] for e in feed.entries)


def test_recorded_real_atom_feed_is_sanitised() -> None:
    body = shared_file("rss", "feedparser_real_movabletype_atom.xml").read_bytes()
    feed = parse_feed(body, url="u", content_type="application/atom+xml", source="s")
    assert len(feed.entries) == 15
    texts = [entry_text(e) for e in feed.entries]
    assert all(t and "<script" not in t.lower() and "<style" not in t.lower() for t in texts)


def test_recorded_illformed_feeds() -> None:
    cdata = shared_file("rss", "feedparser_illformed_rss_incomplete_cdata.xml").read_bytes()
    feed = parse_feed(cdata, url="u", content_type="", source="s")
    assert feed.bozo_reason  # kept: a feed with a broken tail is still a feed
    undeclared = shared_file("rss", "feedparser_illformed_undeclared_namespace.xml").read_bytes()
    with pytest.raises(MalformedResponse, match="unbound prefix"):
        parse_feed(undeclared, url="u", content_type="", source="s")


async def test_sweeps_into_the_database_and_then_finds_nothing_new(
    fake_platform: Any, db: Any, settings: Any, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    FakeFeedServer(platform, fixture_text("rss", "comments.rss"))
    connector = RssConnector(sleep=fake_sleep)
    kw = dict(name="gazette", connector_name="rss", target=f"https://gazette.example{FEED_PATH}",
              base_url=platform.url)

    first = await sweep_into_db(db, settings, connector, **kw)
    assert (first.fetched, first.new, first.skipped, first.error) == (4, 3, 1, None)
    stored = captures(db)
    assert {c.author_handle for c in stored} == {"Pat", "Chris", "Sam"}
    assert stored[0].url == "https://gazette.example/2026/11/library-hours/#comment-903"
    assert stored[0].origin == "sweep" and stored[0].raw_sha256

    again = await sweep_into_db(db, settings, connector, **kw)
    assert (again.fetched, again.new) == (0, 0)  # 304 Not Modified


async def test_a_very_long_guid_still_fits_the_id_column(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    guid = "https://gazette.example/?utm=" + "x" * 400
    body = fixture_text("rss", "comments.rss").replace(
        "https://gazette.example/?p=412#comment-903", guid)
    FakeFeedServer(platform, body)

    post = posts_of(await collect_pages(connector, http_session, source(platform)))[0]
    assert len(post.post_id) <= 255 and post.post_id.startswith(guid[:100])
