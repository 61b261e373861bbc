"""Telegram connector against a local server that serves ``/s/<channel>`` like t.me does."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from selectolax.lexbor import LexborHTMLParser

from connectors.base import (
    MalformedResponse,
    PermanentError,
    RateLimited,
    RetryPolicy,
    SourceSpec,
    SourceUnavailable,
)
from connectors.telegram.connector import TelegramConnector, parse_target
from connectors.telegram.parse import parse_message, parse_page, post_ref
from tests.connectors.conftest import FakePlatform, FakeSleep, Reply, collect_pages, last_cursor
from tests.connectors.pages_and_sweeps import (
    assert_no_loss,
    captures,
    fixture_text,
    ids_of,
    posts_of,
    shared_file,
    sweep_into_db,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CHANNEL = "localtownnews"


class FakeTelegram:
    """``/s/<channel>[?before=N]``: the newest ``size`` messages below N, oldest first."""

    def __init__(self, platform: FakePlatform, *, size: int = 4, prefix: str = "") -> None:
        self.platform = platform
        self.size = size
        self.messages: dict[int, str] = {}
        self.template = fixture_text("telegram", "message.html")
        self.page = fixture_text("telegram", "page.html")
        platform.on(f"{prefix}/s/{CHANNEL}", self._serve)

    def add(self, *numbers: int) -> None:
        for n in numbers:
            when = (T0 + timedelta(minutes=n)).isoformat()
            self.messages[n] = (self.template.replace("{channel}", CHANNEL)
                                .replace("{id}", str(n)).replace("{datetime}", when)
                                .replace("{view}", "").replace("{text}", f"message {n}"))

    def render(self, before: int | None) -> str:
        ids = sorted(i for i in self.messages if before is None or i < before)[-self.size:]
        more = ""
        if ids and ids[0] > min(self.messages):
            more = (f'<div class="tgme_widget_message_centered js-messages_more_wrap"><a href='
                    f'"/s/{CHANNEL}?before={ids[0]}" class="tme_messages_more js-messages_more" '
                    f'data-before="{ids[0]}"></a></div>')
        return (self.page.replace("{channel}", CHANNEL).replace("{more}", more)
                .replace("{messages}", "\n".join(self.messages[i] for i in ids)))

    async def _serve(self, request: web.Request) -> Reply:
        before = request.query.get("before")
        return Reply(body=self.render(int(before) if before else None),
                     content_type="text/html")


def source(platform: FakePlatform, target: str = CHANNEL) -> SourceSpec:
    return SourceSpec(connector="telegram", target=target, base_url=platform.url)


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> TelegramConnector:
    return TelegramConnector(sleep=fake_sleep)


def numbers(pages: Any) -> list[int]:
    return [int(pid.split("/")[1]) for pid in ids_of(pages)]


# --------------------------------------------------------------------------- parsing


def test_rich_page_keeps_replies_albums_forwards_previews_and_polls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        page = parse_page(fixture_text("telegram", "rich_page.html"), source="tg:test")
    by_id = {m.message_id: m for m in page.messages}
    assert sorted(by_id) == [110, 111, 112, 115, 116]
    (kept,) = page.unreadable
    assert kept.key == "localtownnews/117" and "localtownnews/117" in caplog.text
    assert b'data-post="localtownnews/117"' in kept.raw and kept.content_type == "text/html"
    assert page.before == 110 and page.is_preview

    first = by_id[110]
    assert first.text == "Road closed on High Street tonight.\nUse the bypass."
    assert first.channel_id == "-10012345"
    assert first.created_at == T0
    reply = by_id[111]
    assert reply.reply_to == "localtownnews/110"
    assert reply.text == "Update: the road has reopened."  # not the quoted parent
    assert reply.signature == "Sam (editor)"
    album = by_id[112]
    assert album.album == (112, 113, 114)
    assert album.text == "Photos from the fair"
    forwarded = by_id[115]
    assert forwarded.forwarded_from == "Other Town"
    assert forwarded.forwarded_from_url == "https://t.me/othertown/77"
    assert forwarded.full_text() == ("Forwarded from Other Town\n\nBins go out on Thursday this "
                                     "week.\n\nCouncil\nBin collection\nChanges over the holidays")
    poll = by_id[116]
    assert poll.poll is not None and poll.poll.options == ("Jubilee Park", "River Park")
    assert poll.full_text() == "Poll: New name for the park?\n- Jubilee Park\n- River Park"
    assert all("<script" not in m.full_text() and "alert" not in m.full_text()
               for m in page.messages)
    assert 'data-post="localtownnews/110"' in first.html


def test_post_refs() -> None:
    assert post_ref("https://t.me/abcd/12") == "abcd/12"
    assert post_ref("https://t.me/s/abcd/12?single") == "abcd/12"
    assert post_ref("https://evil.example/abcd/12") is None
    assert post_ref("https://t.me/abcd") is None


def test_target_grammar() -> None:
    assert parse_target("@localtownnews", source="s") == "localtownnews"
    assert parse_target("https://t.me/s/localtownnews", source="s") == "localtownnews"
    assert parse_target("t.me/localtownnews/", source="s") == "localtownnews"
    invite_url = "https://t.me/+invitehash"  # a private invite link, not a channel
    for bad in ("ab", invite_url, "name with space", "../etc"):
        with pytest.raises(PermanentError, match="not a Telegram channel"):
            parse_target(bad, source="s")


# --------------------------------------------------------------------------- the connector


async def test_walks_down_the_channel_page_by_page(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform)
    telegram.add(*range(1, 11))

    pages = await collect_pages(connector, http_session, source(platform))

    assert numbers(pages) == list(range(10, 0, -1))
    assert [r.query.get("before") for r in platform.requests] == [None, "7", "3"]
    post = posts_of(pages)[0]
    assert post.post_id == f"{CHANNEL}/10"
    assert post.url == f"https://t.me/{CHANNEL}/10"
    assert post.author_handle == CHANNEL
    assert post.text == "message 10"
    assert post.raw_content_type == "text/html"
    assert post.raw.startswith(b"<div class=\"tgme_widget_message_wrap")
    assert post.response is not None and b"tgme_channel_history" in post.response
    assert post.created_at == T0 + timedelta(minutes=10)


async def test_first_run_stops_at_the_backfill_limit(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    FakeTelegram(platform).add(*range(1, 30))

    pages = await collect_pages(connector, http_session, source(platform), backfill_limit=6)

    assert numbers(pages) == list(range(29, 23, -1))
    assert len(platform.requests) == 2


async def test_resumes_after_a_crash_without_loss_or_duplicates(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform)
    telegram.add(*range(1, 6))
    src = source(platform)
    cursor = last_cursor(await collect_pages(connector, http_session, src))

    telegram.add(*range(6, 20))
    crashed = await collect_pages(connector, http_session, src, cursor, max_pages=2)
    telegram.add(20, 21)  # arrive while the process is down
    resumed = await collect_pages(connector, http_session, src, last_cursor(crashed))
    assert_no_loss([f"{CHANNEL}/{n}" for n in range(6, 20)], crashed, resumed)
    both = numbers(crashed) + numbers(resumed)
    assert len(both) == len(set(both)), "ids are exact, so no message is read twice"

    later = await collect_pages(connector, http_session, src, last_cursor(resumed))
    assert numbers(later) == [21, 20]
    assert numbers(await collect_pages(connector, http_session, src, last_cursor(later))) == []


async def test_a_channel_without_a_preview_is_reported(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    platform.on("/s/closedgroup", Reply(status=302, headers={"Location": "/closedgroup"}))
    platform.on("/closedgroup", Reply(body=fixture_text("telegram", "no_preview.html"),
                                      content_type="text/html"))

    with pytest.raises(PermanentError, match="no public web preview"):
        await collect_pages(connector, http_session, source(platform, "closedgroup"))


async def test_429_with_retry_after_is_rate_limited(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    FakeTelegram(platform).add(1)
    platform.script(f"/s/{CHANNEL}", Reply(status=429, body="Too Many Requests",
                                           headers={"Retry-After": "37"}))

    with pytest.raises(RateLimited) as err:
        await collect_pages(connector, http_session, source(platform))
    assert err.value.retry_after == 37


async def test_server_errors_and_a_cut_connection_are_retried(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector,
    fake_sleep: FakeSleep,
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform)
    telegram.add(1, 2)
    platform.script(f"/s/{CHANNEL}", Reply(status=500, body="oops"),
                    Reply(body=telegram.render(None), content_type="text/html", truncate=True))

    pages = await collect_pages(connector, http_session, source(platform))

    assert numbers(pages) == [2, 1]
    assert len(fake_sleep.calls) == 2


async def test_timeouts_become_source_unavailable(
    fake_platform: Any, timeout_session: aiohttp.ClientSession, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    platform.on(f"/s/{CHANNEL}", Reply(hang=True))
    connector = TelegramConnector(sleep=fake_sleep, retry=RetryPolicy(max_attempts=2))

    with pytest.raises(SourceUnavailable, match=CHANNEL):
        await collect_pages(connector, timeout_session, source(platform))


def cut_mid_message(html: str, n: int) -> str:
    """The page broken off inside message ``n`` (no closing tags: a transfer cut short)."""
    return html[: html.index(f'<time datetime="{(T0 + timedelta(minutes=n)).isoformat()}')]


async def test_a_page_cut_short_is_fetched_again_and_nothing_is_lost(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform)
    telegram.add(1, 2, 3)
    cut = cut_mid_message(telegram.render(None), 3)
    platform.script(f"/s/{CHANNEL}", Reply(body=cut, content_type="text/html"))

    pages = await collect_pages(connector, http_session, source(platform))

    # Telegram lists oldest first: the cut lost the newest message, the refetch brought it.
    assert numbers(pages) == [3, 2, 1]
    assert platform.count(f"/s/{CHANNEL}") == 2
    assert pages[0].incomplete == () and pages[0].unreadable == ()


async def test_a_page_that_stays_cut_never_moves_the_cursor_past_the_gap(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform, size=4)
    telegram.add(*range(1, 13))
    first = await collect_pages(connector, http_session, source(platform))
    mark = last_cursor(first)
    telegram.add(*range(13, 21))  # two pages of news: 17-20, then 13-16 (before=17)
    cut = cut_mid_message(telegram.render(17), 15)
    broken = Reply(body=cut, content_type="text/html")
    original = telegram._serve

    async def serve(request: web.Request) -> Reply:
        return broken if request.query.get("before") == "17" else await original(request)

    platform.on(f"/s/{CHANNEL}", serve)
    pages = await collect_pages(connector, http_session, source(platform), mark)

    assert numbers(pages) == [20, 19, 18, 17, 14, 13]
    assert "still incomplete" in pages[-1].incomplete[0]
    assert json.loads(pages[-1].cursor)["page"] == "17"  # where the gap is, not below it
    assert [r.query.get("before") for r in platform.requests[-3:]] == ["17", "17", "17"]

    platform.on(f"/s/{CHANNEL}", original)  # the platform recovers: a clean re-sweep
    again = await collect_pages(connector, http_session, source(platform), last_cursor(pages))
    assert numbers(again) == [16, 15, 14, 13]
    assert_no_loss([f"{CHANNEL}/{n}" for n in range(13, 21)], pages, again)
    assert json.loads(last_cursor(again))["since"] == "20"


async def test_a_broken_message_mid_page_is_kept_and_the_page_is_not_taken_as_whole(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform)
    telegram.add(1, 2, 3)
    html = telegram.render(None)
    # Message 2's time is garbled on every fetch: it is kept to retry, not silently dropped.
    bad = html.replace((T0 + timedelta(minutes=2)).isoformat(), "not a time")
    platform.on(f"/s/{CHANNEL}", Reply(body=bad, content_type="text/html"))

    pages = await collect_pages(connector, http_session, source(platform))

    assert numbers(pages) == [3, 1]
    (kept,) = pages[0].unreadable
    assert kept.key == f"{CHANNEL}/2" and kept.response_url and "not a time" in kept.raw.decode()
    assert pages[0].incomplete == ()
    fixed = SourceSpec(connector="telegram", target=CHANNEL, base_url=platform.url)
    with pytest.raises(MalformedResponse):
        connector.reparse(kept, fixed)
    mended = replace(kept, raw=kept.raw.replace(b"not a time", b"2026-11-01T09:02:00+00:00"))
    (post,) = connector.reparse(mended, fixed)
    assert post.post_id == f"{CHANNEL}/2" and post.text == "message 2"


async def test_a_missing_channel_and_a_garbled_cursor_are_permanent(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    with pytest.raises(PermanentError, match="not found"):
        await collect_pages(connector, http_session, source(platform, "nosuchchannel"))
    with pytest.raises(PermanentError, match="cursor"):
        await collect_pages(connector, http_session, source(platform), "not json")


def test_a_message_without_time_is_malformed() -> None:
    node = LexborHTMLParser('<div class="tgme_widget_message" data-post="abcd/1"></div>')
    msg = node.css_first(".tgme_widget_message")
    assert msg is not None
    with pytest.raises(MalformedResponse, match="time of message abcd/1"):
        parse_message(msg, source="s")


# --------------------------------------------------------------------------- recorded pages


def test_recorded_channel_page() -> None:
    html = shared_file("telegram", "any2feed_channel_full.html").read_text(encoding="utf-8")
    page = parse_page(html, source="s")
    assert len(page.messages) == 12 and page.unreadable == () and page.whole
    assert page.before == 70989
    by_id = {m.message_id: m for m in page.messages}
    assert by_id[70992].album == (70992, 70993, 70994)
    assert by_id[70996].forwarded_from == "Военкор Ярем"
    assert by_id[70996].link_preview is not None
    assert all(m.created_at.tzinfo is not None and m.text for m in page.messages)
    assert json.dumps([m.full_text() for m in page.messages], ensure_ascii=False).count(
        "<script") == 0


@pytest.mark.parametrize(("name", "check"), [
    ("any2feed_message_link_preview.html", lambda m: m.link_preview and m.link_preview.title),
    ("any2feed_message_poll.html", lambda m: m.poll and len(m.poll.options) == 3),
    ("any2feed_message_media_forwarded_from.html",
     lambda m: m.forwarded_from_url == "https://t.me/dimsmirnov175/44604"),
    ("any2feed_message_text.html", lambda m: m.text.startswith("Неопознанный")),
])
def test_recorded_message_fragments(name: str, check: Any) -> None:
    page = parse_page(shared_file("telegram", name).read_text(encoding="utf-8"), source="s")
    assert len(page.messages) == 1
    assert check(page.messages[0])


async def test_sweeps_into_the_database(
    fake_platform: Any, db: Any, settings: Any, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    telegram = FakeTelegram(platform)
    telegram.add(*range(1, 7))
    kw = dict(name="town-news", connector_name="telegram", target=f"@{CHANNEL}",
              base_url=platform.url)

    result = await sweep_into_db(db, settings, connector, **kw)

    assert (result.fetched, result.new, result.error) == (6, 6, None)
    stored = captures(db)
    assert {c.url for c in stored} == {f"https://t.me/{CHANNEL}/{n}" for n in range(1, 7)}
    assert {c.raw_content_type for c in stored} == {"text/html"}
    telegram.add(7)
    again = await sweep_into_db(db, settings, connector, **kw)
    assert (again.fetched, again.new) == (1, 1)


async def test_a_base_url_with_a_path_prefix_is_honoured(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: TelegramConnector
) -> None:
    platform = await fake_platform()
    FakeTelegram(platform, prefix="/mirror/tg").add(1, 2)
    src = SourceSpec(connector="telegram", target=CHANNEL, base_url=f"{platform.url}/mirror/tg/")

    assert numbers(await collect_pages(connector, http_session, src)) == [2, 1]
