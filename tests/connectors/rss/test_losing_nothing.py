"""RSS/Atom feeds that used to lose entries silently: localised dates and feeds cut short.

``noticias_pt.rss`` is written by us in the shape of a Brazilian news feed (Portuguese day and
month names, one date no parser can read); the shared tests run the real feeds recorded by
rss-parser.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from connectors.base import MalformedResponse, SourceSpec
from connectors.rss.connector import RssConnector
from connectors.rss.dates import MONTHS, parse_localised_date
from tests.connectors.conftest import FakePlatform, FakeSleep, Reply, collect_pages, last_cursor
from tests.connectors.pages_and_sweeps import fixture_text
from tests.connectors.real_responses import real_response

FEED = "/feed.rss"
FETCHED = "Sun, 01 Nov 2026 13:00:00 GMT"


class Feed:
    """One feed with an ETag; ``cut`` serves the next responses broken off mid-document."""

    def __init__(self, platform: FakePlatform, body: bytes, etag: str = '"v1"') -> None:
        self.body, self.etag, self.cut = body, etag, 0
        platform.on(FEED, self._serve)

    async def _serve(self, request: web.Request) -> Reply:
        headers = {"ETag": self.etag, "Date": FETCHED}
        if self.cut:
            self.cut -= 1
            return Reply(body=self.body[: len(self.body) // 2], headers=headers,
                         content_type="application/rss+xml")
        if request.headers.get("If-None-Match") == self.etag:
            return Reply(status=304, headers=headers)
        return Reply(body=self.body, headers=headers, content_type="application/rss+xml")


def source(platform: FakePlatform) -> SourceSpec:
    return SourceSpec("rss", f"https://news.example{FEED}", base_url=platform.url, name="feed")


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> RssConnector:
    return RssConnector(sleep=fake_sleep, clock=fake_sleep.clock)


@pytest.mark.parametrize(("text", "iso"), [
    ("Seg, 24 Set 2018 19:42:40 -0300", "2018-09-24T22:42:40+00:00"),  # pt
    ("lun, 24 sep 2018 19:42:40 +0200", "2018-09-24T17:42:40+00:00"),  # es
    ("lun., 24 sept. 2018 19:42:40 +0200", "2018-09-24T17:42:40+00:00"),  # fr
    ("Mo, 24 Okt 2018 19:42:40 +0200", "2018-10-24T17:42:40+00:00"),  # de
    ("Di, 13 Mär 2018 08:00:00 GMT", "2018-03-13T08:00:00+00:00"),  # de
    ("mer, 13 giu 2018 08:00:00 +0200", "2018-06-13T06:00:00+00:00"),  # it
    ("di, 13 mrt 2018 08:00:00 +0100", "2018-03-13T07:00:00+00:00"),  # nl
    ("24 de setembro de 2018 19:42:40 -0300", "2018-09-24T22:42:40+00:00"),  # pt, long form
])
def test_localised_dates_are_read(text: str, iso: str) -> None:
    when = parse_localised_date(text)
    assert when is not None and when.isoformat() == iso


@pytest.mark.parametrize("text", [
    "ontem à noite",  # words, not a date
    "Seg, 24 Set 2018 19:42:40",  # no zone: not guessed
    "Seg, 24 Set 2018 19:42:40 BRT",  # a zone name RFC 822 does not define
    "Xyz, 24 Foo 2018 10:00 +0000",
])
def test_dates_that_cannot_be_read_are_none(text: str) -> None:
    assert parse_localised_date(text) is None


def test_every_month_name_maps_to_one_month() -> None:
    assert set(MONTHS.values()) == set(range(1, 13))


async def test_localised_dates_are_kept_and_an_unreadable_one_is_marked_unknown(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    Feed(platform, fixture_text("rss", "noticias_pt.rss").encode())

    (page,) = await collect_pages(connector, http_session, source(platform))

    by_title = {p.text.split("\n")[0]: p for p in page.posts}
    fair = by_title["Feira da vila abre no sábado"]
    assert fair.created_at == datetime(2026, 11, 1, 12, 42, 40, tzinfo=UTC)
    assert fair.created_at_known
    school = by_title["Escola reabre depois da reforma"]
    assert not school.created_at_known  # stored, with its date marked unknown
    assert school.created_at == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)  # the fetch time
    assert json.loads(school.raw)["published"] == "ontem à noite"  # the original is kept
    # The floor is the oldest *read* date, never the fetch time standing in for the unknown one.
    assert json.loads(page.cursor or "")["floor"] == "2026-10-31T22:38:00+00:00"


async def test_a_feed_cut_short_keeps_no_validator_and_the_next_sweep_reads_it_whole(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    items = "".join(
        f"<item><title>Entry {n}</title><link>https://news.example/{n}</link>"
        f"<guid>https://news.example/{n}</guid>"
        f"<pubDate>Sun, 01 Nov 2026 {n:02d}:00:00 +0000</pubDate>"
        f"<description>Body of entry {n}, long enough to matter.</description></item>"
        for n in range(12, 0, -1)
    )
    body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>{items}'
            "</channel></rss>").encode()
    feed = Feed(platform, body)
    first = await collect_pages(connector, http_session, source(platform))
    feed.etag, feed.cut = '"v2"', 1  # the feed changes and the next response breaks off

    broken = await collect_pages(connector, http_session, source(platform), last_cursor(first))
    (page,) = broken
    assert page.incomplete and "broke off" in page.incomplete[0]
    state = json.loads(page.cursor or "")
    assert state["etag"] is None and state["floor"] == json.loads(first[0].cursor or "")["floor"]

    again = await collect_pages(connector, http_session, source(platform), page.cursor)
    assert platform.requests[-1].headers.get("If-None-Match") is None
    assert {p.post_id for p in again[0].posts} == {f"https://news.example/{n}"
                                                   for n in range(1, 13)}
    assert again[0].incomplete == () and json.loads(again[0].cursor or "")["etag"] == '"v2"'


async def test_a_first_sweep_of_a_broken_feed_sets_no_floor(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    body = fixture_text("rss", "noticias_pt.rss").encode()
    feed = Feed(platform, body)
    feed.cut = 1
    (page,) = await collect_pages(connector, http_session, source(platform))
    assert page.incomplete and "floor" not in json.loads(page.cursor or "")


async def test_an_entry_without_identity_is_kept_and_read_again(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    platform = await fake_platform()
    Feed(platform, fixture_text("rss", "comments.rss").encode())
    (page,) = await collect_pages(connector, http_session, source(platform))
    (kept,) = page.unreadable
    assert "neither id/guid nor link" in kept.reason
    assert json.loads(kept.raw)["title"] == "Comment with no identity at all"
    with pytest.raises(MalformedResponse):
        connector.reparse(kept, source(platform))
    entry = json.loads(kept.raw)
    assert not any(k.startswith("published") for k in entry)  # it has no date either
    entry["link"] = "https://gazette.example/2026/11/x/#comment-1"
    entry["published_parsed"] = [2026, 11, 1, 12, 0, 0, 6, 305, 0]  # as feedparser's JSON
    mended = replace(kept, raw=json.dumps(entry).encode())
    (post,) = connector.reparse(mended, source(platform))
    assert post.url == entry["link"] and post.created_at_known
    assert post.created_at == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.mark.shared
async def test_real_brazilian_feed_keeps_its_dates(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    body = real_response("rss", "rssparser_uolNoticias.rss").read_bytes()
    platform = await fake_platform()
    Feed(platform, body)

    (page,) = await collect_pages(connector, http_session, source(platform))

    assert len(page.posts) == 15 and all(p.created_at_known for p in page.posts)
    newest = max(p.created_at for p in page.posts)
    assert newest == datetime(2018, 9, 24, 22, 42, 40, tzinfo=UTC)  # Seg, 24 Set 19:42:40 -0300
    assert page.incomplete == ()  # a wrong charset declaration is not a broken document


@pytest.mark.shared
async def test_real_feed_cut_short_then_read_whole(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: RssConnector
) -> None:
    body = real_response("rss", "rssparser_guardian.rss").read_bytes()
    platform = await fake_platform()
    feed = Feed(platform, body)
    feed.cut = 1
    broken = await collect_pages(connector, http_session, source(platform))
    again = await collect_pages(connector, http_session, source(platform), last_cursor(broken))
    read = {p.post_id for page in (*broken, *again) for p in page.posts}
    assert broken[0].incomplete and len(read) == 55
