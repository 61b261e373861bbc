"""A report becomes a capture and a queue item; repeats attach; a bad upload stores nothing."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlmodel import col, func, select

from connectors.base import PermanentError
from connectors.post import Post
from monitor.ingest.pipeline import process_posts_sync
from monitor.intake.images import ScreenshotError
from monitor.intake.reports import MODERATOR_COPY_TYPE, submit_report
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.reports import Report, ReportLink, Screenshot
from monitor.storage.tables.review import QueueItem
from tests.support.fakes import FakeScorer, make_post
from tests.support.intake import png_bytes, report

W = PriorityWeights()


def count(db: Database, table: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(table)).one())


async def test_moderator_copy_becomes_capture_and_queue_item(
    db: Database, fake_scorer: FakeScorer, mod_a: User
) -> None:
    out = await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W,
                              screenshots=[(png_bytes(), "shot.png")])
    assert out.relation == "new" and out.capture_kind == "moderator_copy"
    assert "facebook cannot be fetched" in (out.fetch_note or "")
    with db.read() as s:
        item = s.get(QueueItem, out.queue_item_id)
        assert item is not None
        cap = s.get(Capture, item.capture_id)
        assert cap is not None and cap.origin == "report"
        assert cap.raw_content_type == MODERATOR_COPY_TYPE
        raw = json.loads(cap.raw)
        assert raw["kind"] == "moderator_copy" and raw["reported_by"] == "mod_a"
        assert item.p_hate > 0.5  # scored like any other post
        shot = s.exec(select(Screenshot)).one()
        assert shot.report_id == out.report_id and shot.content_type == "image/png"
        events = s.exec(select(AuditEvent.action)).all()
        assert "collect" in events and "report.create" in events


async def test_canonical_capture_when_connector_can_fetch(
    db: Database, fake_scorer: FakeScorer, mod_a: User
) -> None:
    fetched = make_post(7, "disgusting scum, kill them all")
    seen: list[str] = []

    async def fetch(url: str) -> Post | None:
        seen.append(url)
        return fetched

    data = report(url=fetched.url, platform="mastodon", text="what I saw")
    out = await submit_report(db, fake_scorer, reporter=mod_a, data=data, weights=W,
                              fetch_canonical=fetch)
    assert seen == [fetched.url]
    assert out.capture_kind == "canonical" and out.fetch_note is None
    with db.read() as s:
        item = s.get(QueueItem, out.queue_item_id)
        assert item is not None and item.post_id == "7"
        cap = s.get(Capture, item.capture_id)
        assert cap is not None and cap.raw == fetched.raw and cap.origin == "report"
        rep = s.get(Report, out.report_id)
        assert rep is not None and rep.text_as_seen == "what I saw"


@pytest.mark.parametrize("outcome", ["gone", "error"])
async def test_unfetchable_post_keeps_the_moderators_copy(
    db: Database, fake_scorer: FakeScorer, mod_a: User, outcome: str
) -> None:
    async def fetch(url: str) -> Post | None:
        if outcome == "error":
            raise PermanentError("mastodon: status is private")
        return None

    data = report(url="https://example.social/@x/99", platform="mastodon")
    out = await submit_report(db, fake_scorer, reporter=mod_a, data=data, weights=W,
                              fetch_canonical=fetch)
    assert out.capture_kind == "moderator_copy"
    assert "moderator's copy stands" in (out.fetch_note or "")
    assert ("refused the request" in (out.fetch_note or "")) == (outcome == "error")


async def test_repeat_report_attaches_to_the_same_item(
    db: Database, fake_scorer: FakeScorer, mod_a: User, mod_b: User
) -> None:
    first = await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W)
    again = report(url="http://m.facebook.com/groups/townsquare/posts/1/?fbclid=abc",
                   text="slightly different paste", group="Town Square (copy)")
    second = await submit_report(db, fake_scorer, reporter=mod_b, data=again, weights=W)
    assert second.relation == "attached"
    assert second.queue_item_id == first.queue_item_id
    assert count(db, QueueItem) == 1 and count(db, Capture) == 1
    assert count(db, Report) == 2
    with db.read() as s:
        rel = s.exec(select(ReportLink.relation).order_by(col(ReportLink.report_id))).all()
        assert rel == ["new", "attached"]
        reps = s.exec(select(Report.text_as_seen).order_by(col(Report.id))).all()
        assert reps[1] == "slightly different paste"  # each moderator's copy is kept


async def test_report_of_a_swept_post_attaches_by_platform_id(
    db: Database, fake_scorer: FakeScorer, mod_a: User
) -> None:
    post = make_post(3, "immigrants are vermin")
    swept = process_posts_sync(db, fake_scorer, [post], weights=W, origin="sweep", actor="t")

    async def fetch(url: str) -> Post | None:
        return post

    data = report(url="https://example.social/some/other/spelling", platform="mastodon")
    out = await submit_report(db, fake_scorer, reporter=mod_a, data=data, weights=W,
                              fetch_canonical=fetch)
    assert out.relation == "attached"
    assert out.queue_item_id == swept.queue_item_ids[0]
    assert count(db, Capture) == 1


async def test_report_of_a_captured_url_attaches_without_fetch(
    db: Database, fake_scorer: FakeScorer, mod_a: User
) -> None:
    post = make_post(4, "queers are filth")
    swept = process_posts_sync(db, fake_scorer, [post], weights=W, origin="sweep", actor="t")
    data = report(url=post.url, platform="mastodon")
    out = await submit_report(db, fake_scorer, reporter=mod_a, data=data, weights=W)
    assert out.relation == "attached" and out.queue_item_id == swept.queue_item_ids[0]
    assert count(db, Capture) == 1


async def test_edited_canonical_post_is_a_new_version_of_the_same_item(
    db: Database, fake_scorer: FakeScorer, mod_a: User
) -> None:
    post = make_post(5, "nice weather")
    process_posts_sync(db, fake_scorer, [post], weights=W, origin="sweep", actor="t")
    edited = replace(post, text="nice weather. now get out, scum", raw=b'{"id":"5"}')

    async def fetch(url: str) -> Post | None:
        return edited

    out = await submit_report(db, fake_scorer, reporter=mod_a, weights=W, fetch_canonical=fetch,
                              data=report(url=post.url, platform="mastodon"))
    assert out.relation == "attached"
    assert count(db, Capture) == 2 and count(db, QueueItem) == 1


async def test_bad_screenshot_stores_nothing(
    db: Database, fake_scorer: FakeScorer, mod_a: User
) -> None:
    with pytest.raises(ScreenshotError, match=r"fake\.png"):
        await submit_report(db, fake_scorer, reporter=mod_a, data=report(), weights=W,
                            screenshots=[(png_bytes(), "ok.png"), (b"MZ\x90\x00", "fake.png")])
    assert count(db, Report) == 0 and count(db, Capture) == 0 and count(db, Screenshot) == 0
