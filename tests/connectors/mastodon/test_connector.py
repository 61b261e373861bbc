"""Mastodon connector against a local server that behaves like a Mastodon instance."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

import connectors.mastodon.connector as mastodon_module
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
from connectors.http.walk import Walk
from connectors.mastodon.connector import MastodonConnector
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

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
TAG_PATH = "/api/v1/timelines/tag/hate"


def status(n: int, text: str = "", **extra: Any) -> dict[str, Any]:
    sid = str(113_000_000_000_000_000 + n)
    item = {
        "id": sid,
        "created_at": (T0 + timedelta(minutes=n)).isoformat().replace("+00:00", "Z"),
        "in_reply_to_id": None,
        "spoiler_text": "",
        "language": "en",
        "uri": f"https://example.social/users/u{n}/statuses/{sid}",
        "url": f"https://example.social/@u{n}/{sid}",
        "content": f"<p>{text or f'status {n}'}</p>",
        "reblog": None,
        "account": {
            "id": str(n),
            "acct": f"u{n}",
            "username": f"u{n}",
            "url": f"https://example.social/@u{n}",
        },
    }
    item.update(extra)
    return item


class Instance:
    """Newest-first listing with max_id/limit and Link headers, like Mastodon."""

    def __init__(self, platform: FakePlatform, path: str = TAG_PATH) -> None:
        self.platform = platform
        self.statuses: list[dict[str, Any]] = []
        self.headers: dict[str, str] = {}
        platform.on(path, self.listing)
        self.path = path

    def add(self, *numbers: int) -> None:
        self.statuses.extend(status(n) for n in numbers)
        self.statuses.sort(key=lambda s: int(s["id"]), reverse=True)

    async def listing(self, request: web.Request) -> Reply:
        limit = int(request.query.get("limit", "20"))
        items = self.statuses
        if "max_id" in request.query:
            items = [s for s in items if int(s["id"]) < int(request.query["max_id"])]
        page = items[:limit]
        headers = dict(self.headers)
        if page and len(items) > limit:
            nxt = f"{self.platform.url}{self.path}?limit={limit}&max_id={page[-1]['id']}"
            prv = f"{self.platform.url}{self.path}?limit={limit}&min_id={page[0]['id']}"
            headers["Link"] = f'<{nxt}>; rel="next", <{prv}>; rel="prev"'
        return Reply(body=page, headers=headers)


def spec(platform: FakePlatform, target: str = "tag:hate", **options: Any) -> SourceSpec:
    return SourceSpec(
        "mastodon", target, base_url=platform.url, options=options, name=f"m-{target}"
    )


@pytest.fixture(autouse=True)
def fresh_budgets() -> Iterator[None]:
    mastodon_module._BUDGETS.clear()
    yield
    mastodon_module._BUDGETS.clear()


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> MastodonConnector:
    return MastodonConnector(
        sleep=fake_sleep,
        clock=fake_sleep.clock,
        retry=RetryPolicy(max_attempts=3),
        rng=random.Random(0),
    )


def ids(pages: list[Any]) -> list[str]:
    return [p.post_id.rsplit("/", 1)[1] for page in pages for p in page.posts]


async def test_fixture_page_normalised(fake_platform, http_session, connector, caplog):
    platform = await fake_platform()
    body = fixture_bytes("mastodon", "tag_timeline.json")
    platform.on(TAG_PATH, Reply(body=body))
    pages = await collect_pages(connector, http_session, spec(platform))
    assert len(pages) == 1
    page = pages[0]
    assert page.skipped == 1 and "m-tag:hate" in caplog.text and "113000000000000001" in caplog.text
    first, second = page.posts
    assert first.platform == "mastodon"
    assert first.post_id == "https://example.social/users/alice/statuses/113000000000000003"
    assert first.url == "https://example.social/@alice/113000000000000003"
    assert first.author_handle == "alice@example.social"
    assert first.author_id == "https://example.social/users/alice"
    assert first.text == "Lovely weather in #leeds today"
    assert first.created_at == datetime(2026, 11, 1, 12, 3, tzinfo=UTC)
    assert first.language == "en"
    assert first.raw == item_raw(json.loads(body)[0])
    assert first.response == body
    assert second.text == "CW: politics\n\nSecond line\nwith a break\n\n• yes\n\n• no"
    assert second.author_handle == "bob@other.example"
    assert second.parent_id is None  # parent not in the response: no mixed id spaces


async def test_first_run_backfill_limit_and_pagination(fake_platform, http_session, connector):
    platform = await fake_platform()
    inst = Instance(platform)
    inst.add(*range(1, 13))
    pages = await collect_pages(connector, http_session, spec(platform, limit=5), backfill_limit=8)
    assert [len(p.posts) for p in pages] == [5, 3]
    assert ids(pages) == [str(113_000_000_000_000_000 + n) for n in range(12, 4, -1)]
    walk = Walk.load(last_cursor(pages), source="t")
    assert walk.since == str(113_000_000_000_000_012) and walk.page is None
    assert platform.requests[1].query["max_id"] == str(113_000_000_000_000_008)


async def test_next_run_takes_only_new_posts(fake_platform, http_session, connector):
    platform = await fake_platform()
    inst = Instance(platform)
    inst.add(*range(1, 6))
    first = await collect_pages(connector, http_session, spec(platform, limit=5))
    inst.add(6, 7, 8)
    second = await collect_pages(
        connector, http_session, spec(platform, limit=2), last_cursor(first)
    )
    assert ids(second) == [str(113_000_000_000_000_000 + n) for n in (8, 7, 6)]
    third = await collect_pages(connector, http_session, spec(platform), last_cursor(second))
    assert ids(third) == []


async def test_crash_mid_walk_resumes_without_loss(fake_platform, http_session, connector):
    platform = await fake_platform()
    inst = Instance(platform)
    inst.add(1, 2)
    cursor = last_cursor(await collect_pages(connector, http_session, spec(platform)))
    inst.add(*range(3, 15))  # 12 new posts while we were away
    seen: list[str] = []
    crashed = await collect_pages(
        connector, http_session, spec(platform, limit=5), cursor, max_pages=1
    )
    seen += ids(crashed)
    inst.add(15, 16)  # more arrive before the restart
    resumed = await collect_pages(
        connector, http_session, spec(platform, limit=5), crashed[-1].cursor
    )
    seen += ids(resumed)
    later = await collect_pages(
        connector, http_session, spec(platform, limit=5), resumed[-1].cursor
    )
    seen += ids(later)
    expected = {str(113_000_000_000_000_000 + n) for n in range(3, 17)}
    assert set(seen) == expected
    assert len(seen) == len(expected)  # and, here, not even a duplicate


async def test_429_waits_for_iso_reset(fake_platform, http_session, connector, clock):
    platform = await fake_platform()
    reset = datetime.fromtimestamp(clock.now + 90, UTC).isoformat().replace("+00:00", "Z")
    platform.on(
        TAG_PATH,
        Reply(
            status=429,
            body={"error": "Too many requests"},
            headers={
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset,
            },
        ),
    )
    with pytest.raises(RateLimited, match="m-tag:hate") as info:
        await collect_pages(connector, http_session, spec(platform))
    assert info.value.retry_after == pytest.approx(90, abs=1)


async def test_paces_on_rate_limit_headers(fake_platform, http_session, connector, fake_sleep):
    platform = await fake_platform()
    inst = Instance(platform)
    inst.add(*range(1, 5))
    reset = datetime.fromtimestamp(fake_sleep.clock.now + 30, UTC).isoformat()
    inst.headers = {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset,
    }
    pages = await collect_pages(connector, http_session, spec(platform, limit=2))
    assert len(ids(pages)) == 4
    assert fake_sleep.calls and fake_sleep.calls[0] == pytest.approx(30, abs=1)


async def test_5xx_mid_walk_then_recovers(fake_platform, http_session, connector):
    platform = await fake_platform()
    inst = Instance(platform)
    inst.add(*range(1, 7))
    platform.script(TAG_PATH, Reply(status=503, body="<html>Bad gateway</html>"))
    pages = await collect_pages(connector, http_session, spec(platform, limit=3))
    assert len(ids(pages)) == 6
    assert platform.count(TAG_PATH) == 3


async def test_timeout_is_source_unavailable(fake_platform, timeout_session, connector):
    platform = await fake_platform()
    platform.on(TAG_PATH, Reply(hang=True))
    with pytest.raises(SourceUnavailable, match="m-tag:hate"):
        await collect_pages(connector, timeout_session, spec(platform))


async def test_truncated_and_malformed_bodies(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(TAG_PATH, Reply(body=[status(1), status(2)], truncate=True))
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, http_session, spec(platform))
    platform.on(
        TAG_PATH, Reply(body=json.dumps([status(1)])[:-20], content_type="application/json")
    )
    with pytest.raises(MalformedResponse, match="m-tag:hate"):
        await collect_pages(connector, http_session, spec(platform))
    platform.on(TAG_PATH, Reply(body={"error": "not a list"}))
    with pytest.raises(MalformedResponse, match="expected a list"):
        await collect_pages(connector, http_session, spec(platform))


async def test_auth_failure_never_shows_token(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(TAG_PATH, Reply(status=401, body={"error": "The access token is invalid"}))
    source = SourceSpec(
        "mastodon", "tag:hate", base_url=platform.url, credentials={"access_token": "TOKEN-abc123"}
    )
    with pytest.raises(AuthFailed) as info:
        await collect_pages(connector, http_session, source)
    assert "TOKEN-abc123" not in str(info.value)
    assert platform.requests[0].headers["Authorization"] == "Bearer TOKEN-abc123"


async def test_timeline_access_respected(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on("/api/v2/instance", Reply(body=fixture_bytes("mastodon", "instance_v2.json")))
    Instance(platform, "/api/v1/timelines/public").add(1, 2)
    pages = await collect_pages(connector, http_session, spec(platform, "timeline:local"))
    assert len(ids(pages)) == 2
    assert platform.requests[-1].query["local"] == "true"
    with pytest.raises(PermanentError, match=r"public timeline .* is disabled by the instance"):
        await collect_pages(connector, http_session, spec(platform, "timeline:public"))


async def test_account_lookup_then_statuses(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on("/api/v1/accounts/lookup", Reply(body={"id": "77", "acct": "u1"}))
    Instance(platform, "/api/v1/accounts/77/statuses").add(1, 2, 3)
    pages = await collect_pages(
        connector, http_session, spec(platform, "account:u1@example.social")
    )
    assert len(ids(pages)) == 3
    assert platform.requests[0].query["acct"] == "u1@example.social"
    platform.on("/api/v1/accounts/lookup", Reply(status=404, body={"error": "Record not found"}))
    with pytest.raises(PermanentError, match=r"account nobody@example\.social not found"):
        await collect_pages(
            connector, http_session, spec(platform, "account:nobody@example.social")
        )


async def test_boost_captured_as_the_boosted_status_once(fake_platform, http_session, connector):
    platform = await fake_platform()
    original = status(1, "original words")
    boost1 = status(5, reblog=original, content="")
    boost2 = status(4, reblog=original, content="")
    platform.on(TAG_PATH, Reply(body=[boost1, boost2, status(3)]))
    pages = await collect_pages(connector, http_session, spec(platform))
    posts = pages[0].posts
    assert [p.text for p in posts] == ["original words", "status 3"]
    assert posts[0].post_id == original["uri"]


async def test_context_thread(fake_platform, http_session, connector):
    platform = await fake_platform()
    root, focus = status(1), status(2, in_reply_to_id=status(1)["id"])
    reply = status(3, in_reply_to_id=focus["id"])
    platform.on(f"/api/v1/statuses/{focus['id']}", Reply(body=focus))
    platform.on(
        f"/api/v1/statuses/{focus['id']}/context",
        Reply(body={"ancestors": [root], "descendants": [reply]}),
    )
    source = spec(platform, f"context:{focus['id']}")
    pages = await collect_pages(connector, http_session, source)
    posts = pages[0].posts
    assert [p.post_id for p in posts] == [root["uri"], focus["uri"], reply["uri"]]
    assert {p.thread_id for p in posts} == {root["uri"]}
    assert posts[2].parent_id == focus["uri"] and posts[1].parent_id == root["uri"]
    again = await collect_pages(connector, http_session, source, pages[0].cursor)
    assert again[0].posts == ()


@pytest.mark.parametrize(
    "target", ["tag:", "hashtag:x", "account:nobody", "timeline:home", "context:abc"]
)
async def test_bad_targets_say_what_is_accepted(http_session, connector, target):
    source = SourceSpec("mastodon", target)
    with pytest.raises(PermanentError, match="tag:NAME"):
        await collect_pages(connector, http_session, source)


# --------------------------------------------------------------------------- recorded responses


@pytest.mark.shared
@pytest.mark.parametrize(
    ("name", "path", "count"),
    [
        ("tag_timeline_rstats_anon.json", TAG_PATH, 5),
        ("public_timeline_anon.json", TAG_PATH, 20),
        ("account_statuses.json", TAG_PATH, 20),
        ("account_statuses_page1_link.json", TAG_PATH, 5),
    ],
)
async def test_recorded_listings_parse(fake_platform, http_session, connector, name, path, count):
    body = shared_fixture("mastodon", name).read_bytes()
    headers = {
        k: v
        for k, v in shared_headers("mastodon", name).items()
        if k.lower() in ("link", "x-ratelimit-limit", "x-ratelimit-remaining")
    }
    platform = await fake_platform()
    platform.on(path, Reply(body=body, headers=headers))
    pages = await collect_pages(connector, http_session, spec(platform), backfill_limit=2 * count)
    posts = [p for page in pages for p in page.posts]
    assert sum(page.skipped for page in pages) == 0
    assert len({p.post_id for p in posts}) == len(posts) > 0
    for post in posts:
        assert post.url.startswith("http") and "@" in post.author_handle
        assert post.created_at.tzinfo is not None
    if "link" in {k.lower() for k in headers}:
        # The recorded rel="next" link was followed (with its max_id), page 2 is the same body.
        assert len(platform.requests) == 2 and "max_id" in platform.requests[1].query


@pytest.mark.shared
async def test_recorded_context(fake_platform, http_session, connector):
    context = json.loads(shared_fixture("mastodon", "status_context.json").read_bytes())
    platform = await fake_platform()
    # The focus status itself is not in the recording; it replies to the recorded ancestor.
    focus = status(0, id="114027213608365869", in_reply_to_id=context["ancestors"][0]["id"])
    platform.on("/api/v1/statuses/114027213608365869", Reply(body=focus))
    platform.on("/api/v1/statuses/114027213608365869/context", Reply(body=context))
    pages = await collect_pages(
        connector, http_session, spec(platform, "context:114027213608365869")
    )
    posts = pages[0].posts
    assert len(posts) == len(context["ancestors"]) + 1 + len(context["descendants"])
    assert any(p.parent_id for p in posts)


@pytest.mark.shared
async def test_recorded_instance_disables_live_feeds(fake_platform, http_session, connector):
    body = shared_fixture("mastodon", "instance_v2_mastodon_social_timelines_access.json")
    platform = await fake_platform()
    platform.on("/api/v2/instance", Reply(body=body.read_bytes()))
    with pytest.raises(PermanentError, match=r"local timeline .* disabled"):
        await collect_pages(connector, http_session, spec(platform, "timeline:local"))


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from connectors.mastodon.parse import parse_status  # noqa: E402
from connectors.text import MAX_TEXT  # noqa: E402
from tests.connectors.conftest import assert_readable, hostile_text  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(content=hostile_text(), spoiler=hostile_text(4), acct=st.text(max_size=30))
def test_status_normaliser_with_hostile_text(content, spoiler, acct):
    item = status(1, spoiler_text=spoiler, content=f"<p>{content}</p>")
    item["account"]["acct"] = acct
    try:
        post = parse_status(item, source="prop")
    except MalformedResponse:
        return  # e.g. an empty handle: reported, never a crash
    assert_readable(post.text)
    assert json.loads(post.raw) == item


def test_status_normaliser_bounds_huge_bodies():
    item = status(1, content="<p>" + "word " * 60_000 + "</p>" * 5000)
    post = parse_status(item, source="prop")
    assert len(post.text) <= MAX_TEXT + 10


async def test_token_only_sent_to_its_own_instance(fake_platform, http_session, connector):
    platform = await fake_platform()
    Instance(platform).add(1)
    creds = {"access_token": "TOKEN-1", "host": "my.instance.example"}
    source = SourceSpec("mastodon", "tag:hate", base_url=platform.url, credentials=creds)
    await collect_pages(connector, http_session, source)
    assert "Authorization" not in platform.requests[0].headers


async def test_tag_local_option_from_cli_text(fake_platform, http_session, connector):
    platform = await fake_platform()
    Instance(platform).add(1)
    await collect_pages(connector, http_session, spec(platform, local="false"))
    assert "local" not in platform.requests[-1].query
    await collect_pages(connector, http_session, spec(platform, local="true"))
    assert platform.requests[-1].query["local"] == "true"
