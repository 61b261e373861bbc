"""Lemmy connector against a local server that behaves like a Lemmy instance (0.18 and 0.19)."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
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
from connectors.lemmy.connector import LemmyConnector, parse_target
from connectors.lemmy.parse import lemmy_time, parse_comment, parse_post, site_info
from tests.connectors.conftest import FakePlatform, FakeSleep, Reply, collect_pages, last_cursor
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

T0 = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def make_post(n: int, *, minutes: int, pinned: bool = False, naive: bool = False) -> Any:
    item = clone(fixture_obj("lemmy", "post_view.json"))
    when = (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%f")
    item["post"].update(id=n, name=f"post {n}", ap_id=f"https://lemmy.example/post/{n}",
                        published=when if naive else when + "Z", featured_community=pinned)
    return item


def make_comment(n: int, *, post: int, minutes: int, path: str | None = None) -> Any:
    item = clone(fixture_obj("lemmy", "comment_view.json"))
    when = (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    item["comment"].update(id=n, post_id=post, content=f"comment {n}", published=when,
                           ap_id=f"https://lemmy.example/comment/{n}", path=path or f"0.{n}")
    return item


class FakeLemmy:
    """Lists posts/comments ``sort=New`` (pinned first), 3 per page, like a Lemmy instance."""

    def __init__(self, platform: FakePlatform, *, version: str = "0.19.5", size: int = 3):
        self.platform = platform
        self.posts: list[Any] = []
        self.comments: list[Any] = []
        self.size = size
        site = fixture_obj("lemmy", "site_0_19.json" if version >= "0.19" else "site_0_18.json")
        site["version"] = version
        self.cursors = version >= "0.19"
        platform.on("/api/v3/site", Reply(body=site))
        platform.on("/api/v3/post/list", self._posts)
        platform.on("/api/v3/comment/list", self._comments)

    def _sorted(self, items: list[Any], kind: str) -> list[Any]:
        def key(item: Any) -> tuple[bool, str, int]:
            obj = item[kind]
            return (bool(obj.get("featured_community")), obj["published"], obj["id"])

        return sorted(items, key=key, reverse=True)

    async def _posts(self, request: web.Request) -> Reply:
        assert request.query["community_name"] == "localtown"
        assert request.query["sort"] == "New"
        items = self._sorted(self.posts, "post")
        if self.cursors:
            start = int(request.query.get("page_cursor", "P0")[1:])
            chunk = items[start:start + self.size]
            body: dict[str, Any] = {"posts": chunk}
            if chunk:
                body["next_page"] = f"P{start + self.size}"
            return Reply(body=body)
        page = int(request.query.get("page", "1"))
        return Reply(body={"posts": items[(page - 1) * self.size:page * self.size]})

    async def _comments(self, request: web.Request) -> Reply:
        assert request.query["type_"] == "All"
        page = int(request.query.get("page", "1"))
        items = self._sorted(self.comments, "comment")
        return Reply(body={"comments": items[(page - 1) * self.size:page * self.size]})


def source(platform: FakePlatform, target: str = "localtown") -> SourceSpec:
    return SourceSpec(connector="lemmy", target=target, base_url=platform.url)


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> LemmyConnector:
    return LemmyConnector(sleep=fake_sleep)


async def test_reads_posts_and_comments_across_cursor_pages(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(n, minutes=n) for n in range(1, 8)]
    lemmy.comments = [make_comment(500 + n, post=7, minutes=10 + n) for n in range(1, 6)]
    lemmy.comments.append(make_comment(510, post=7, minutes=30, path="0.505.510"))

    pages = await collect_pages(connector, http_session, source(platform))

    host = platform.url.split("//")[1]
    ids = ids_of(pages)
    assert ids[:7] == [f"{host}/post/{n}" for n in range(7, 0, -1)]
    assert ids[7:] == [f"{host}/comment/{n}" for n in (510, 505, 504, 503, 502, 501)]
    cursors = [r.query.get("page_cursor") for r in platform.requests
               if r.path == "/api/v3/post/list"]
    assert cursors == [None, "P3", "P6", "P9"]
    post = posts_of(pages)[0]
    assert post.url == "https://lemmy.example/post/7"
    assert post.author_handle == "alice@lemmy.example"
    assert post.author_id == "https://lemmy.example/u/alice"
    assert post.created_at == T0 + timedelta(minutes=7)
    assert post.language == "en"
    assert post.text.startswith("post 7\n\nDoes anyone know **why**")
    assert json.loads(post.raw)["post"]["id"] == 7
    reply = posts_of(pages)[7]
    assert reply.parent_id == f"{host}/comment/505"
    assert reply.thread_id == f"{host}/post/7"
    assert reply.author_handle == "bob@other.example"
    top = posts_of(pages)[8]
    assert top.parent_id == top.thread_id == f"{host}/post/7"
    assert all(p.response is not None for p in posts_of(pages))


async def test_older_instances_page_by_number_and_send_naive_utc_times(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform, version="0.18.5")
    lemmy.posts = [make_post(n, minutes=n, naive=True) for n in range(1, 6)]

    pages = await collect_pages(connector, http_session, source(platform, "posts:localtown"))

    assert len(ids_of(pages)) == 5
    assert [r.query.get("page") for r in platform.requests if r.path.endswith("post/list")] == [
        "1", "2", "3"]
    assert posts_of(pages)[0].created_at == T0 + timedelta(minutes=5)
    assert "comment/list" not in " ".join(platform.paths())


async def test_first_run_stops_at_the_backfill_limit(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(n, minutes=n) for n in range(1, 21)]

    pages = await collect_pages(connector, http_session, source(platform, "posts:localtown"),
                                backfill_limit=4)

    assert [i.rsplit("/", 1)[1] for i in ids_of(pages)] == ["20", "19", "18", "17"]
    assert platform.count("/api/v3/post/list") == 2


async def test_resumes_after_a_crash_without_loss_and_then_reads_only_new_posts(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(n, minutes=n) for n in range(1, 11)]
    src = source(platform, "posts:localtown")
    first = await collect_pages(connector, http_session, src)
    cursor = last_cursor(first)
    host = platform.url.split("//")[1]

    # New posts arrive; the process dies right after the first page of the next sweep.
    lemmy.posts += [make_post(n, minutes=n) for n in range(11, 19)]
    crashed = await collect_pages(connector, http_session, src, cursor, max_pages=1)
    stored = last_cursor(crashed)
    assert json.loads(stored or "")["posts"]["pending_high_water"] is not None
    lemmy.posts += [make_post(n, minutes=n) for n in range(19, 21)]
    resumed = await collect_pages(connector, http_session, src, stored)

    assert_no_loss([f"{host}/post/{n}" for n in range(11, 19)], crashed, resumed)
    again = await collect_pages(connector, http_session, src, last_cursor(resumed))
    # Posts 19-20 arrived mid-walk, above its pending mark: the next sweep reads them.
    assert {f"{host}/post/19", f"{host}/post/20"} <= set(ids_of(again))
    quiet = await collect_pages(connector, http_session, src, last_cursor(again))
    assert ids_of(quiet) == [f"{host}/post/20"]  # only the tie at the mark is read again


async def test_a_pinned_old_post_does_not_end_the_walk(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(1, minutes=-500, pinned=True)]
    lemmy.posts += [make_post(n, minutes=n) for n in range(2, 5)]
    src = source(platform, "posts:localtown")
    cursor = last_cursor(await collect_pages(connector, http_session, src))
    lemmy.posts += [make_post(n, minutes=n) for n in range(5, 12)]

    pages = await collect_pages(connector, http_session, src, cursor)

    numbers = {int(i.rsplit("/", 1)[1]) for i in ids_of(pages)}
    assert set(range(5, 12)) <= numbers


@pytest.mark.parametrize("status", [400, 429])
async def test_rate_limit_errors_without_headers_become_rate_limited(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector,
    status: int,
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    platform.script("/api/v3/post/list", Reply(status=status, body={"error": "rate_limit_error"}))

    with pytest.raises(RateLimited) as err:
        await collect_pages(connector, http_session, source(platform))

    assert err.value.retry_after == 60.0
    assert "localtown" in str(err.value)


async def test_a_retry_after_added_by_a_proxy_is_honoured(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    platform.script("/api/v3/post/list", Reply(status=429, body={"error": "rate_limit_error"},
                                               headers={"Retry-After": "7"}))

    with pytest.raises(RateLimited) as err:
        await collect_pages(connector, http_session, source(platform))
    assert err.value.retry_after == 7


async def test_server_errors_are_retried_then_recover(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector,
    fake_sleep: FakeSleep,
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(n, minutes=n) for n in range(1, 3)]
    platform.script("/api/v3/post/list", Reply(status=502, body="bad gateway"),
                    Reply(status=503, body="busy"))

    pages = await collect_pages(connector, http_session, source(platform, "posts:localtown"))

    assert len(ids_of(pages)) == 2
    assert len(fake_sleep.calls) == 2


async def test_persistent_server_errors_become_source_unavailable(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    platform.on("/api/v3/post/list", Reply(status=500, body="oops"))

    with pytest.raises(SourceUnavailable, match="localtown"):
        await collect_pages(connector, http_session, source(platform))


async def test_timeouts_are_retried_then_reported(
    fake_platform: Any, timeout_session: aiohttp.ClientSession, fake_sleep: FakeSleep
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    platform.on("/api/v3/post/list", Reply(hang=True))
    connector = LemmyConnector(sleep=fake_sleep, retry=RetryPolicy(max_attempts=2))

    with pytest.raises(SourceUnavailable, match="failed after 2 attempts"):
        await collect_pages(connector, timeout_session, source(platform))


async def test_a_truncated_body_is_retried(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(1, minutes=1)]
    platform.script("/api/v3/post/list", Reply(body={"posts": [make_post(1, minutes=1)]},
                                               truncate=True))

    pages = await collect_pages(connector, http_session, source(platform, "posts:localtown"))

    assert len(ids_of(pages)) == 1


async def test_a_malformed_body_is_reported(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    platform.on("/api/v3/post/list",
                Reply(body='{"posts": [{"post": ', content_type="application/json"))

    with pytest.raises(MalformedResponse, match="not valid JSON"):
        await collect_pages(connector, http_session, source(platform))


async def test_a_malformed_item_is_skipped_and_the_page_kept(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector,
    caplog: pytest.LogCaptureFixture,
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    broken = make_post(2, minutes=2)
    del broken["creator"]
    bad_time = make_post(3, minutes=3)
    bad_time["post"]["published"] = "yesterday"
    lemmy.posts = [make_post(1, minutes=1), broken, bad_time, make_post(4, minutes=4)]

    with caplog.at_level(logging.WARNING):
        pages = await collect_pages(connector, http_session, source(platform, "posts:localtown"))

    assert sorted(int(i.rsplit("/", 1)[1]) for i in ids_of(pages)) == [1, 4]
    assert sum(p.skipped for p in pages) == 2
    assert "lemmy:posts:localtown" in caplog.text and "post 2" in caplog.text
    # Both are kept, raw and all, and a parser that can read them gets the posts back.
    kept = [u for p in pages for u in p.unreadable]
    assert sorted(json.loads(u.raw)["post"]["id"] for u in kept) == [
        broken["post"]["id"], bad_time["post"]["id"]]
    fixed = next(u for u in kept if json.loads(u.raw)["post"]["id"] == bad_time["post"]["id"])
    mended = make_post(3, minutes=3)
    (post,) = connector.reparse(
        replace(fixed, raw=json.dumps(mended).encode()), source(platform, "posts:localtown"))
    assert post.post_id.endswith("/3") and post.response_url == fixed.response_url


async def test_auth_and_missing_community_errors(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    platform.script("/api/v3/post/list", Reply(status=401, body={"error": "not_logged_in"}),
                    Reply(status=400, body={"error": "couldnt_find_community"}))

    with pytest.raises(AuthFailed):
        await collect_pages(connector, http_session, source(platform))
    with pytest.raises(PermanentError, match="couldnt_find_community"):
        await collect_pages(connector, http_session, source(platform))


async def test_a_server_that_is_not_lemmy_is_reported(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    platform.on("/api/v3/site", Reply(body={"hello": "world"}))

    with pytest.raises(MalformedResponse, match="is this a Lemmy instance"):
        await collect_pages(connector, http_session, source(platform))


async def test_a_garbled_cursor_is_a_clear_error(
    fake_platform: Any, http_session: aiohttp.ClientSession, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    FakeLemmy(platform)
    with pytest.raises(PermanentError, match="cursor"):
        await collect_pages(connector, http_session, source(platform), "[1, 2]")


def test_target_grammar() -> None:
    assert parse_target("technology@lemmy.world", source="s") == (
        ("posts", "comments"), "technology@lemmy.world")
    assert parse_target("!technology@lemmy.world", source="s")[1] == "technology@lemmy.world"
    assert parse_target("comments:c/unitedkingdom", source="s") == (
        ("comments",), "unitedkingdom")
    with pytest.raises(PermanentError, match="not a Lemmy community"):
        parse_target("https://lemmy.world/c/x y", source="s")


async def test_base_url_is_required(http_session: aiohttp.ClientSession) -> None:
    with pytest.raises(PermanentError, match="needs base_url"):
        await collect_pages(LemmyConnector(), http_session,
                            SourceSpec(connector="lemmy", target="x"))


def test_site_version_and_times() -> None:
    assert site_info({"version": "0.19.3-rc.1", "all_languages": []}, source="s")[0] == (0, 19, 3)
    assert site_info({"version": "v0.18.5"}, source="s")[0] == (0, 18, 5)
    assert lemmy_time("2023-08-07T13:35:18.433381", source="s", what="t").tzinfo is UTC
    with pytest.raises(MalformedResponse):
        lemmy_time(None, source="s", what="t")


# --------------------------------------------------------------------------- recorded responses


def test_recorded_post_list_parses() -> None:
    data = json.loads(shared_file("lemmy", "spud_post-list-all-hot.json").read_bytes())
    posts = [parse_post(item, host="discuss.tchncs.de", languages={37: "en"}, source="s")[2]
             for item in data["posts"]]
    assert posts and all(p.url.startswith("https://") and p.author_handle for p in posts)
    assert posts[0].post_id == "discuss.tchncs.de/post/1549703"
    assert posts[0].url == "https://lemmy.world/post/2808539"
    assert posts[0].author_handle == "finibus@lemmy.world"
    assert posts[0].created_at.tzinfo is not None


def test_recorded_comment_list_parses_with_parents() -> None:
    path = shared_file("lemmy", "spud_comment-list-1549703-Hot.TRIMMED.json")
    data = json.loads(path.read_bytes())
    parsed = [parse_comment(c, host="discuss.tchncs.de", languages={}, source="s")[1]
              for c in data["comments"]]
    assert len(parsed) == 26
    assert {p.thread_id for p in parsed} == {"discuss.tchncs.de/post/1549703"}
    replies = [p for p in parsed if p.parent_id != p.thread_id]
    assert replies and all(r.parent_id and "/comment/" in r.parent_id for r in replies)


def test_recorded_post_detail_and_user_parse() -> None:
    detail = json.loads(shared_file("lemmy", "spud_post-detail-1549703.json").read_bytes())
    post = parse_post(detail["post_view"], host="h", languages={}, source="s")[2]
    assert post.url == "https://lemmy.world/post/2808539"
    user = json.loads(shared_file("lemmy", "spud_user-31989.json").read_bytes())
    for item in user["posts"]:
        parse_post(item, host="h", languages={}, source="s")
    for item in user["comments"]:
        parse_comment(item, host="h", languages={}, source="s")


async def test_sweeps_into_the_database(
    fake_platform: Any, db: Any, settings: Any, connector: LemmyConnector
) -> None:
    platform = await fake_platform()
    lemmy = FakeLemmy(platform)
    lemmy.posts = [make_post(n, minutes=n) for n in range(1, 5)]
    lemmy.comments = [make_comment(600 + n, post=4, minutes=10 + n) for n in range(1, 3)]
    kw = dict(name="localtown", connector_name="lemmy", target="localtown",
              base_url=platform.url)

    result = await sweep_into_db(db, settings, connector, **kw)

    assert (result.fetched, result.new, result.skipped, result.error) == (6, 6, 0, None)
    stored = captures(db)
    assert {c.url for c in stored} >= {"https://lemmy.example/post/4",
                                       "https://lemmy.example/comment/602"}
    assert {c.author_handle for c in stored} == {"alice@lemmy.example", "bob@other.example"}
    lemmy.posts.append(make_post(5, minutes=5))
    again = await sweep_into_db(db, settings, connector, **kw)
    assert again.new == 1  # post 5; the ties at both marks are duplicates
