"""Discourse connector against a local server that behaves like a Discourse forum."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

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
from connectors.discourse.connector import DiscourseConnector
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


class Forum:
    """A little Discourse: topics of posts, /posts.json, /t/ID(.json|/posts.json), /c/, search."""

    def __init__(self, platform: FakePlatform, page_size: int = 5, first_posts: int = 3) -> None:
        self.platform = platform
        self.page_size = page_size
        self.first_posts = first_posts
        self.topics: dict[int, list[dict[str, Any]]] = {}
        self.next_id = 100
        platform.on("/posts.json", self.latest)
        platform.on("/c/news/7.json", self.category)
        platform.on("/search.json", self.search)

    def post(self, topic: int, text: str = "") -> dict[str, Any]:
        if topic not in self.topics:
            self.topics[topic] = []
            self.platform.on(f"/t/{topic}.json", self.topic_json)
            self.platform.on(f"/t/{topic}/posts.json", self.topic_posts)
        self.next_id += 1
        number = len(self.topics[topic]) + 1
        item = {
            "id": self.next_id,
            "username": f"user{self.next_id % 7}",
            "user_id": self.next_id % 7,
            "created_at": (T0 + timedelta(minutes=self.next_id)).isoformat(),
            "cooked": f"<p>{text or f'post {self.next_id}'}</p>",
            "post_number": number,
            "reply_to_post_number": number - 1 if number > 1 else None,
            "topic_id": topic,
            "topic_slug": f"topic-{topic}",
        }
        self.topics[topic].append(item)
        return item

    def all_posts(self) -> list[dict[str, Any]]:
        return sorted((p for ps in self.topics.values() for p in ps), key=lambda p: -p["id"])

    async def latest(self, request: web.Request) -> Reply:
        posts = self.all_posts()
        if "before" in request.query:
            posts = [p for p in posts if p["id"] < int(request.query["before"])]
        return Reply(body={"latest_posts": posts[: self.page_size]})

    async def topic_json(self, request: web.Request) -> Reply:
        topic = int(request.path.split("/")[2].removesuffix(".json"))
        posts = self.topics[topic]
        return Reply(
            body={
                "id": topic,
                "slug": f"topic-{topic}",
                "highest_post_number": len(posts),
                "post_stream": {
                    "posts": posts[: self.first_posts],
                    "stream": [p["id"] for p in posts],
                },
            }
        )

    async def topic_posts(self, request: web.Request) -> Reply:
        topic = int(request.path.split("/")[2])
        wanted = {int(i) for i in request.query.getall("post_ids[]")}
        assert len(wanted) <= 20
        posts = [p for p in self.topics[topic] if p["id"] in wanted]
        return Reply(body={"post_stream": {"posts": posts}, "id": topic})

    async def category(self, request: web.Request) -> Reply:
        order = sorted(self.topics, key=lambda t: -self.topics[t][-1]["id"])
        topics = [
            {
                "id": t,
                "slug": f"topic-{t}",
                "highest_post_number": len(self.topics[t]),
                "posts_count": len(self.topics[t]),
            }
            for t in order
        ]
        return Reply(body={"users": [], "topic_list": {"topics": topics}})

    async def search(self, request: web.Request) -> Reply:
        assert request.query["q"].endswith(" order:latest")
        page = int(request.query.get("page", "1"))
        hits = self.all_posts()[(page - 1) * self.page_size : page * self.page_size]
        more = len(self.all_posts()) > page * self.page_size
        blurbs = [
            {
                "id": p["id"],
                "topic_id": p["topic_id"],
                "post_number": p["post_number"],
                "username": p["username"],
                "blurb": "…",
                "created_at": p["created_at"],
            }
            for p in hits
        ]
        topics = [{"id": t, "slug": f"topic-{t}"} for t in {p["topic_id"] for p in hits}]
        return Reply(
            body={
                "posts": blurbs,
                "topics": topics,
                "users": [],
                "grouped_search_result": {"more_full_page_results": more},
            }
        )


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> DiscourseConnector:
    return DiscourseConnector(
        sleep=fake_sleep,
        clock=fake_sleep.clock,
        retry=RetryPolicy(max_attempts=3),
        rng=random.Random(0),
    )


def spec(platform: FakePlatform, target: str = "latest", **kw: Any) -> SourceSpec:
    creds = kw.pop("credentials", {})
    return SourceSpec(
        "discourse",
        target,
        base_url=platform.url,
        options=kw,
        credentials=creds,
        name=f"d-{target}",
    )


def raw_ids(pages: list[Any]) -> list[int]:
    return [json.loads(p.raw)["id"] for page in pages for p in page.posts]


async def test_fixture_latest_normalised(fake_platform, http_session, connector, caplog):
    platform = await fake_platform()
    body = fixture_bytes("discourse", "latest_posts.json")
    platform.on("/posts.json", Reply(body=body))
    pages = await collect_pages(connector, http_session, spec(platform))
    host = platform.url.split("://")[1]
    page = pages[0]
    assert page.skipped == 1 and "d-latest" in caplog.text and "1040" in caplog.text
    (kept,) = page.unreadable
    assert kept.key == "1040" and json.loads(kept.raw)["id"] == 1040
    reply, first = page.posts
    assert reply.post_id == f"{host}/t/77/3"
    assert reply.url == f"{platform.url}/t/bus-station-incident/77/3"
    assert reply.thread_id == f"{host}/t/77" and reply.parent_id == f"{host}/t/77/2"
    assert reply.author_handle == "dana" and reply.author_id == "12"
    assert reply.text == "Reply to @erin:\nquoted\n\nmy answer"
    assert reply.created_at == datetime(2026, 11, 1, 12, 4, tzinfo=UTC)
    assert reply.raw == item_raw(json.loads(body)["latest_posts"][0])
    assert first.text == "First post" and first.parent_id is None
    # The walk ran to the end of the listing (before=1040 answered with the same fixture page).
    assert platform.requests[1].query["before"] == "1040"


async def test_latest_pagination_backfill_and_resume(fake_platform, http_session, connector):
    platform = await fake_platform()
    forum = Forum(platform)
    for n in range(12):
        forum.post(1 + n % 3)
    first = await collect_pages(connector, http_session, spec(platform), backfill_limit=8)
    assert raw_ids(first) == list(range(112, 104, -1))
    for _ in range(11):
        forum.post(2)
    crashed = await collect_pages(
        connector, http_session, spec(platform), last_cursor(first), max_pages=1
    )
    forum.post(3)
    resumed = await collect_pages(connector, http_session, spec(platform), crashed[-1].cursor)
    later = await collect_pages(connector, http_session, spec(platform), resumed[-1].cursor)
    assert sorted(raw_ids(crashed) + raw_ids(resumed) + raw_ids(later)) == list(range(113, 125))


async def test_topic_batches_post_ids_and_resumes(fake_platform, http_session, connector):
    platform = await fake_platform()
    forum = Forum(platform)
    for _ in range(45):
        forum.post(9)
    pages = await collect_pages(
        connector, http_session, spec(platform, "topic:9"), backfill_limit=1000
    )
    assert sorted(raw_ids(pages)) == list(range(101, 146))
    batches = [r for r in platform.requests if r.path == "/t/9/posts.json"]
    assert [len(r.query.getall("post_ids[]")) for r in batches] == [20, 20, 2]
    forum.post(9)
    again = await collect_pages(
        connector, http_session, spec(platform, "topic:9"), pages[-1].cursor
    )
    assert raw_ids(again) == [146]


async def test_category_reads_changed_topics_only(fake_platform, http_session, connector):
    platform = await fake_platform()
    forum = Forum(platform)
    for topic in (1, 2, 3):
        for _ in range(4):
            forum.post(topic)
    first = await collect_pages(
        connector, http_session, spec(platform, "category:news/7"), backfill_limit=6
    )
    assert len(raw_ids(first)) == 6  # back-fill limit across topics, newest topics first
    forum.post(2)
    forum.post(4)
    before = len(platform.requests)
    second = await collect_pages(
        connector, http_session, spec(platform, "category:news/7"), last_cursor(first)
    )
    assert sorted(raw_ids(second)) == [113, 114]
    fetched = {r.path for r in platform.requests[before:]}
    assert "/t/3.json" not in fetched  # known and unchanged: no request at all
    # Topic 1 was cut off by the back-fill limit: now read, but only above the floor (nothing).
    assert "/t/1.json" in fetched


async def test_search_fetches_full_posts(fake_platform, http_session, connector):
    platform = await fake_platform()
    forum = Forum(platform)
    for n in range(7):
        forum.post(1 + n % 2, text=f"hateful {n}")
    pages = await collect_pages(connector, http_session, spec(platform, "search:hateful"))
    assert sorted(raw_ids(pages)) == list(range(101, 108))
    assert all(p.text.startswith("hateful") for page in pages for p in page.posts)
    forum.post(1)
    again = await collect_pages(
        connector, http_session, spec(platform, "search:hateful"), last_cursor(pages)
    )
    assert raw_ids(again) == [108]


async def test_429_retry_after_and_wait_seconds(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on(
        "/posts.json",
        Reply(
            status=429,
            headers={"Retry-After": "33"},
            body={
                "errors": ["slow down"],
                "error_type": "rate_limit",
                "extras": {"wait_seconds": 33},
            },
        ),
    )
    with pytest.raises(RateLimited) as info:
        await collect_pages(connector, http_session, spec(platform))
    assert info.value.retry_after == 33
    platform.on("/posts.json", Reply(status=429, body={"extras": {"wait_seconds": 12}}))
    with pytest.raises(RateLimited) as info:
        await collect_pages(connector, http_session, spec(platform))
    assert info.value.retry_after == 12


async def test_api_key_sent_and_never_shown(fake_platform, http_session, connector):
    platform = await fake_platform()
    platform.on("/posts.json", Reply(status=403, body={"errors": ["bad key KEY-secret-1"]}))
    source = spec(platform, credentials={"api_key": "KEY-secret-1", "api_username": "reader"})
    with pytest.raises(AuthFailed) as info:
        await collect_pages(connector, http_session, source)
    assert "KEY-secret-1" not in str(info.value)
    assert platform.requests[0].headers["Api-Key"] == "KEY-secret-1"
    assert platform.requests[0].headers["Api-Username"] == "reader"


async def test_5xx_timeout_truncated_malformed(
    fake_platform, http_session, timeout_session, connector
):
    platform = await fake_platform()
    forum = Forum(platform)
    forum.post(1)
    platform.script("/posts.json", Reply(status=502, body="<html>Bad Gateway</html>"))
    assert raw_ids(await collect_pages(connector, http_session, spec(platform))) == [101]
    platform.script("/posts.json", *[Reply(hang=True)] * 3)
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, timeout_session, spec(platform))
    platform.script(
        "/posts.json", *[Reply(body={"latest_posts": [forum.post(2)] * 40}, truncate=True)] * 3
    )
    with pytest.raises(SourceUnavailable):
        await collect_pages(connector, http_session, spec(platform))
    platform.script(
        "/posts.json", Reply(body=b'{"latest_posts": [{"id"', content_type="application/json")
    )
    with pytest.raises(MalformedResponse, match="d-latest"):
        await collect_pages(connector, http_session, spec(platform))
    platform.script("/posts.json", Reply(body={"nothing": 1}))
    with pytest.raises(MalformedResponse, match="latest_posts"):
        await collect_pages(connector, http_session, spec(platform))


async def test_missing_base_url_and_bad_targets(http_session, connector):
    with pytest.raises(PermanentError, match="needs base_url"):
        await collect_pages(connector, http_session, SourceSpec("discourse", "latest"))
    for target in ("category:", "topic:abc", "search:", "latest:x", "forum:1"):
        with pytest.raises(PermanentError, match="category:SLUG/ID"):
            await collect_pages(
                connector,
                http_session,
                SourceSpec("discourse", target, base_url="http://127.0.0.1:9"),
            )


# --------------------------------------------------------------------------- recorded responses


@pytest.mark.shared
async def test_recorded_posts_latest_and_before(fake_platform, http_session, connector):
    latest = shared_fixture("discourse", "discourse_api_posts_latest.json").read_bytes()
    before = shared_fixture("discourse", "discourse_api_posts_before.json").read_bytes()
    platform = await fake_platform()
    platform.script("/posts.json", Reply(body=latest), Reply(body=before))
    platform.on("/posts.json", Reply(body={"latest_posts": []}))
    pages = await collect_pages(connector, http_session, spec(platform), backfill_limit=1000)
    expected = {p["id"] for p in json.loads(latest)["latest_posts"]} | {
        p["id"] for p in json.loads(before)["latest_posts"]
    }
    assert sum(page.skipped for page in pages) == 0
    assert set(raw_ids(pages)) == expected


@pytest.mark.shared
@pytest.mark.parametrize("name", ["xertrov_t_2144_posts.json", "discourse_api_topic.json"])
async def test_recorded_topic(fake_platform, http_session, connector, name):
    data = json.loads(shared_fixture("discourse", name).read_bytes())
    topic = data["id"]
    platform = await fake_platform()
    platform.on(f"/t/{topic}.json", Reply(body=data))
    pages = await collect_pages(
        connector, http_session, spec(platform, f"topic:{topic}"), backfill_limit=1000
    )
    posts = [p for page in pages for p in page.posts]
    assert sum(page.skipped for page in pages) == 0
    assert len(posts) == len(data["post_stream"]["posts"]) > 0
    assert all(p.url.startswith(f"{platform.url}/t/") for p in posts)


@pytest.mark.shared
async def test_recorded_category_listing(fake_platform, http_session, connector):
    data = json.loads(
        shared_fixture("discourse", "discourse_api_category_latest_topics.json").read_bytes()
    )
    platform = await fake_platform()
    platform.on("/c/news/7.json", Reply(body=data))
    for topic in data["topic_list"]["topics"]:
        platform.on(
            f"/t/{topic['id']}.json",
            Reply(
                body={"id": topic["id"], "slug": "s", "post_stream": {"posts": [], "stream": []}}
            ),
        )
    await collect_pages(connector, http_session, spec(platform, "category:news/7"))
    fetched = {r.path for r in platform.requests}
    assert {f"/t/{t['id']}.json" for t in data["topic_list"]["topics"]} <= fetched


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from connectors.discourse.parse import parse_post  # noqa: E402
from connectors.text import MAX_TEXT  # noqa: E402
from tests.connectors.conftest import assert_readable, hostile_text  # noqa: E402


def _item(cooked: str, username: str = "u") -> dict[str, Any]:
    return {
        "id": 1,
        "topic_id": 2,
        "post_number": 3,
        "username": username,
        "created_at": "2026-11-01T12:00:00Z",
        "cooked": cooked,
        "topic_slug": "s",
    }


@settings(max_examples=60, deadline=None)
@given(cooked=hostile_text(), username=st.text(max_size=20))
def test_post_normaliser_with_hostile_text(cooked, username):
    try:
        post = parse_post(_item(cooked, username), base="https://f.example", source="prop")
    except MalformedResponse:
        return
    assert_readable(post.text)
    assert post.url == "https://f.example/t/s/2/3"


def test_post_normaliser_bounds_huge_bodies():
    post = parse_post(
        _item("<p>" + "z " * 300_000 + "</p>"), base="https://f.example", source="prop"
    )
    assert len(post.text) <= MAX_TEXT + 10


async def test_api_key_only_sent_to_its_own_forum(fake_platform, http_session, connector):
    platform = await fake_platform()
    Forum(platform).post(1)
    creds = {"api_key": "KEY-1", "host": "forum.elsewhere.example"}
    await collect_pages(connector, http_session, spec(platform, credentials=creds))
    assert "Api-Key" not in platform.requests[0].headers
    creds["host"] = "127.0.0.1"
    await collect_pages(connector, http_session, spec(platform, credentials=creds))
    assert platform.requests[-1].headers["Api-Key"] == "KEY-1"


def test_script_and_style_elements_dropped_from_cooked():
    cooked = "<p>before</p><script>steal()</script><style>p{}</style><p>after</p>"
    post = parse_post(_item(cooked), base="https://f.example", source="prop")
    assert post.text == "before\nafter"
