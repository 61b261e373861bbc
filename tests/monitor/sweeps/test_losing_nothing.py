"""Sweeps lose nothing silently: what a connector could not read is kept, counted in the sweep's
report, marks the source as needing attention until someone acknowledges it, and is read again
after a parser upgrade. Each case runs a real sweep against a connector's local fake platform."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web
from sqlmodel import select

import connectors.reddit.auth as reddit_auth
import connectors.reddit.connector as reddit_module
import connectors.reddit.parse as reddit_parse
from connectors.reddit.connector import RedditConnector
from connectors.rss.connector import RssConnector
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent, SweepRun
from monitor.storage.tables.sources import Source
from monitor.storage.tables.unreadable import UnreadableItem
from monitor.sweeps.history import source_health
from monitor.sweeps.unreadable import acknowledge
from tests.connectors.conftest import FakePlatform, FakeSleep, Reply, fixture_bytes
from tests.connectors.pages_and_sweeps import captures, fixture_text, sweep_into_db

FEED = "/feed.rss"


def source_row(db: Database, name: str) -> Source:
    with db.read() as session:
        src = session.exec(select(Source).where(Source.name == name)).one()
        session.expunge(src)
        return src


def kept_items(db: Database) -> list[UnreadableItem]:
    with db.read() as session:
        return list(session.exec(select(UnreadableItem).order_by(UnreadableItem.id)).all())


# --------------------------------------------------------------------------- RSS


class CuttableFeed:
    def __init__(self, platform: FakePlatform, body: bytes) -> None:
        self.body, self.cut = body, 0
        platform.on(FEED, self._serve)

    async def _serve(self, request: web.Request) -> Reply:
        body = self.body
        if self.cut:
            self.cut -= 1
            body = body[: len(body) // 2]
        return Reply(body=body, headers={"ETag": '"v1"', "Date": "Sun, 01 Nov 2026 13:00:00 GMT"},
                     content_type="application/rss+xml")


def rss_kw(platform: FakePlatform) -> dict[str, Any]:
    return dict(name="noticias", connector_name="rss", target=f"https://news.example{FEED}",
                base_url=platform.url)


async def test_unknown_dates_are_stored_as_unknown_reported_and_need_attention(
    fake_platform: Any, db: Database, settings: Any, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    CuttableFeed(platform, fixture_text("rss", "noticias_pt.rss").encode())

    result = await sweep_into_db(db, settings, RssConnector(sleep=fake_sleep), **rss_kw(platform))

    assert (result.fetched, result.stored, result.undated, result.error) == (3, 3, 1, None)
    assert "date unknown 1" in result.report()
    by_url = {c.url.rsplit("/", 1)[1]: c for c in captures(db)}
    assert by_url["escola.htm"].created_at_known is False
    assert by_url["feira.htm"].created_at_known is True
    src = source_row(db, "noticias")
    assert src.unacknowledged_loss and "date unknown" in src.unacknowledged_loss
    (health,) = source_health(db)
    assert health["status"].startswith("needs attention") and not health["healthy"]
    with db.read() as session:
        run = session.exec(select(SweepRun)).one()
    assert (run.undated, run.skipped, run.unreadable) == (1, 0, 0)


async def test_a_cut_feed_is_reported_and_a_clean_re_sweep_reads_it_all(
    fake_platform: Any, db: Database, settings: Any, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    items = "".join(
        f"<item><title>Entry {n}</title><link>https://news.example/{n}</link>"
        f"<pubDate>Sun, 01 Nov 2026 {n:02d}:00:00 +0000</pubDate>"
        f"<description>Body {n} with enough words to be worth reading.</description></item>"
        for n in range(12, 0, -1))
    feed = CuttableFeed(platform, (f'<?xml version="1.0"?><rss version="2.0"><channel>'
                                   f"<title>News</title>{items}</channel></rss>").encode())
    connector = RssConnector(sleep=fake_sleep)
    feed.cut = 1

    broken = await sweep_into_db(db, settings, connector, **rss_kw(platform))
    assert broken.unreadable == 1 and broken.notes and "broke off" in broken.notes[0]
    assert len(captures(db)) < 12

    again = await sweep_into_db(db, settings, connector, **rss_kw(platform))
    assert again.unreadable == 0
    assert {c.url for c in captures(db)} == {f"https://news.example/{n}" for n in range(1, 13)}
    # The loss stays flagged until someone looks, even though the next sweep was clean.
    assert source_row(db, "noticias").unacknowledged_loss


async def test_acknowledging_is_audited_and_clears_needs_attention(
    fake_platform: Any, db: Database, settings: Any, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    CuttableFeed(platform, fixture_text("rss", "noticias_pt.rss").encode())
    await sweep_into_db(db, settings, RssConnector(sleep=fake_sleep), **rss_kw(platform))
    sid = source_row(db, "noticias").id or 0

    with db.write() as session:
        assert acknowledge(session, sid, actor="officer1", note="school date checked by hand")
    with db.write() as session:
        assert not acknowledge(session, sid, actor="officer1")  # nothing left to acknowledge

    assert source_row(db, "noticias").unacknowledged_loss is None
    (health,) = source_health(db)
    assert health["status"] == "ok"
    with db.read() as session:
        (event,) = session.exec(select(AuditEvent).where(
            AuditEvent.action == "source.acknowledge_loss")).all()
    assert event.actor == "officer1" and event.reason == "school date checked by hand"
    assert "date unknown" in event.details["acknowledged"]


# --------------------------------------------------------------------------- Reddit


@pytest.fixture
def reddit_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HATE_MONITOR_REDDIT_CLIENT_ID", "CLIENT-ID")
    monkeypatch.setenv("HATE_MONITOR_REDDIT_CLIENT_SECRET", "CLIENT-SECRET-xyz")
    monkeypatch.setenv("HATE_MONITOR_REDDIT_USER_AGENT",
                       "test:org.example.hate-monitor:v0.1 (by /u/tester)")
    reddit_auth._TOKENS.clear()
    reddit_module._BUDGETS.clear()


async def test_items_kept_before_a_parser_upgrade_are_read_by_retry_skipped(
    fake_platform: Any, db: Database, settings: Any, fake_sleep: FakeSleep,
    monkeypatch: pytest.MonkeyPatch, reddit_env: None,
) -> None:
    platform = await fake_platform()
    platform.on("/api/v1/access_token", Reply(body=fixture_bytes("reddit", "access_token.json")),
                method="POST")
    platform.on("/r/unitedkingdom/comments",
                Reply(body=fixture_bytes("reddit", "comments_2016.json")))
    connector = RedditConnector(sleep=fake_sleep, clock=fake_sleep.clock)
    kw = dict(name="r-uk", connector_name="reddit", target="comments:unitedkingdom",
              base_url=platform.url)
    # The parser as it was: a comment without a permalink could not be read.
    monkeypatch.setattr(reddit_parse, "_built_permalink", lambda *_: None)

    old = await sweep_into_db(db, settings, connector, **kw)

    assert (old.fetched, old.stored, old.skipped) == (3, 0, 3)
    kept = kept_items(db)
    assert sorted(k.item_key or "" for k in kept) == ["t1_d4x9999", "t1_d4y0001", "t1_d4y0002"]
    assert all(k.raw_sha256 and k.resolved_at is None for k in kept)
    assert json.loads(source_row(db, "r-uk").cursor or "")["since"]  # the mark moved: kept
    (health,) = source_health(db)
    assert health["open_unreadable"] == 3

    monkeypatch.undo()  # the parser upgrade
    reddit_auth._TOKENS.clear()
    new = await sweep_into_db(db, settings, connector, retry_skipped=True, **kw)

    assert (new.retried, new.recovered) == (3, 2)
    assert {c.post_id for c in captures(db)} == {"t1_d4y0001", "t1_d4y0002"}
    rows = {k.item_key: k for k in kept_items(db)}
    assert rows["t1_d4y0001"].resolved_at and "t1_d4y0001" in (rows["t1_d4y0001"].resolution
                                                                or "")
    still = rows["t1_d4x9999"]
    assert still.resolved_at is None and still.attempts == 1 and "created_utc" in still.reason
    assert len(kept_items(db)) == 3  # the item met again was not added twice


# --------------------------------------------------------------------------- Telegram


async def test_a_telegram_page_that_stays_cut_is_reported_and_a_re_sweep_reads_it(
    fake_platform: Any, db: Database, settings: Any, fake_sleep: FakeSleep
) -> None:
    from connectors.telegram.connector import TelegramConnector
    from tests.connectors.telegram.test_connector import CHANNEL, FakeTelegram, cut_mid_message

    platform = await fake_platform()
    telegram = FakeTelegram(platform, size=4)
    telegram.add(*range(1, 9))
    serve = telegram._serve
    cut = Reply(body=cut_mid_message(telegram.render(5), 3), content_type="text/html")

    async def broken(request: web.Request) -> Reply:
        return cut if request.query.get("before") == "5" else await serve(request)

    platform.on(f"/s/{CHANNEL}", broken)
    kw = dict(name="tg", connector_name="telegram", target=CHANNEL, base_url=platform.url)
    connector = TelegramConnector(sleep=fake_sleep)

    first = await sweep_into_db(db, settings, connector, **kw)
    assert first.unreadable == 1 and "still incomplete" in first.notes[0]
    assert source_row(db, "tg").unacknowledged_loss

    platform.on(f"/s/{CHANNEL}", serve)
    again = await sweep_into_db(db, settings, connector, **kw)
    assert again.unreadable == 0
    assert {c.post_id for c in captures(db)} == {f"{CHANNEL}/{n}" for n in range(1, 9)}


async def test_a_clean_sweep_leaves_the_source_healthy_and_flags_nothing(
    fake_platform: Any, db: Database, settings: Any, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    body = fixture_text("rss", "noticias_pt.rss").replace(
        "<pubDate>ontem à noite</pubDate>", "<pubDate>Sex, 30 Out 2026 08:00:00 -0300</pubDate>")
    CuttableFeed(platform, body.encode())

    result = await sweep_into_db(db, settings, RssConnector(sleep=fake_sleep), **rss_kw(platform))

    assert (result.stored, result.undated, result.error) == (3, 0, None)
    src = source_row(db, "noticias")
    assert src.unacknowledged_loss is None and src.consecutive_failures == 0
    assert src.last_error is None
    (health,) = source_health(db)
    assert health["status"] == "ok" and health["healthy"]
