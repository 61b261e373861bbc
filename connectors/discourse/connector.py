"""Discourse (any forum).

Target grammar (``SourceSpec.target``):

- ``latest`` — the newest posts across the whole forum (``/posts.json``, paged with ``before``).
- ``category:SLUG/ID`` (or ``category:ID``) — posts in the category's recently active topics
  (``/c/SLUG/ID.json``, then each changed topic's new posts). Option ``topic_pages`` (how many
  pages of 30 topics to look at, default 1).
- ``topic:ID`` — every post of one topic as it grows (``/t/ID.json``, ``/t/ID/posts.json`` with
  batched ``post_ids[]``).
- ``search:QUERY`` — newest posts matching a Discourse search (``/search.json`` with
  ``order:latest``; full posts are then fetched from their topics). Option ``search_pages``
  (default 5).

``base_url`` is required: the forum's address, e.g. ``https://forum.example.org``. Credentials are
optional: ``api_key`` (a read-only key from the forum's admin), ``api_username`` (default
``system``), sent as ``Api-Key`` / ``Api-Username`` headers, and ``host`` (the forum's host name:
the key is then never sent to another forum); without a key only what an anonymous visitor sees
is read.

Discourse sends no rate-limit budget headers; a 429 carries ``Retry-After`` (and
``extras.wait_seconds`` in the body) and raises ``RateLimited``. ``latest`` and ``search`` use the
``connectors.http.walk.Walk`` cursor over post ids; categories and topics a per-topic map (see
``connectors.discourse_topics``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp

from connectors.base import (
    ConnectorBase,
    MalformedResponse,
    Page,
    PermanentError,
    SourceSpec,
    Unreadable,
    int_option,
)
from connectors.discourse.client import Forum, require_base
from connectors.discourse.parse import parse_post, post_key
from connectors.discourse.topics import listed_topics, topic_pages
from connectors.http.parse import json_unreadable, load_item
from connectors.http.walk import Walk
from connectors.post import Post

log = logging.getLogger(__name__)
_CATEGORY = re.compile(r"^(?:([a-z0-9][a-z0-9_-]*)/)?(\d+)$", re.IGNORECASE)


def parse_target(target: str, *, source: str) -> tuple[str, str]:
    kind, _, value = target.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    valid = (
        (kind == "latest" and not value)
        or (kind == "category" and _CATEGORY.match(value))
        or (kind == "topic" and value.isdigit())
        or (kind == "search" and value)
    )
    if not valid:
        raise PermanentError(
            f"{source}: discourse target {target!r} not understood; use latest, "
            "category:SLUG/ID, topic:ID or search:QUERY"
        )
    return kind, value


class DiscourseConnector(ConnectorBase):
    name = "discourse"

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        label = source.label()
        raw = load_item(item.raw, source=label)
        post = parse_post(raw, base=require_base(source), source=label,
                          response_url=item.response_url)
        return (post,)

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        kind, value = parse_target(source.target, source=source.label())
        forum = Forum(
            session, source, require_base(source), self._sleep, self._clock, self._retry, self._rng
        )
        if kind == "latest":
            stream = _latest(forum, cursor, backfill_limit)
        elif kind == "search":
            stream = _search(forum, value, cursor, backfill_limit)
        elif kind == "topic":
            stream = topic_pages(forum, [(int(value), None)], cursor, backfill_limit=backfill_limit)
        else:
            topics = await _category_topics(forum, value)
            stream = topic_pages(forum, topics, cursor, backfill_limit=backfill_limit)
        async for page in stream:
            yield page


async def _latest(forum: Forum, cursor: str | None, backfill_limit: int) -> AsyncIterator[Page]:
    walk = Walk.load(cursor, source=forum.label)
    while True:
        params = [("before", walk.page)] if walk.page else []
        data, resp = await forum.get_json("/posts.json", params)
        items = data.get("latest_posts")
        if not isinstance(items, list):
            raise MalformedResponse(f"{forum.label}: expected latest_posts from {resp.url}")
        keys = [post_key(i) for i in items]
        ids = [int(k) for k in keys if k is not None]
        # `before` pages down by post id; a token that does not move would loop forever.
        nxt = str(min(ids)) if ids and str(min(ids)) != walk.page else None
        walk, keep = walk.advance(keys, nxt, backfill_limit=backfill_limit)
        posts, bad = forum.parse_all([i for i, k in zip(items, keep, strict=True) if k], resp)
        yield Page(tuple(posts), walk.dump(), tuple(bad))
        if walk.page is None:
            return


async def _search(
    forum: Forum, query: str, cursor: str | None, backfill_limit: int
) -> AsyncIterator[Page]:
    walk = Walk.load(cursor, source=forum.label)
    max_pages = int_option(forum.source.options, "search_pages", 5, 1, 100, source=forum.label)
    while True:
        number = int(walk.page or 1)
        data, resp = await forum.get_json(
            "/search.json", [("q", f"{query} order:latest"), ("page", str(number))]
        )
        hits = data.get("posts") or []
        if not isinstance(hits, list):
            raise MalformedResponse(f"{forum.label}: search posts is not a list ({resp.url})")
        grouped = data.get("grouped_search_result")
        more = isinstance(grouped, Mapping) and bool(grouped.get("more_full_page_results"))
        nxt = str(number + 1) if more and hits and number < max_pages else None
        keys = [post_key(h) for h in hits]
        walk, keep = walk.advance(keys, nxt, backfill_limit=backfill_limit)
        slugs = _topic_slugs(data.get("topics"))
        posts: list[Post] = []
        bad: list[Unreadable] = []
        by_topic: dict[int, list[int]] = {}
        for hit, wanted in zip(hits, keep, strict=True):
            topic = hit.get("topic_id") if isinstance(hit, Mapping) else None
            if not wanted:
                continue
            if not isinstance(topic, int) or not isinstance(hit.get("id"), int):
                err = MalformedResponse(f"{forum.label}: search hit without id/topic")
                log.warning("%s: could not read search hit, kept to retry: %.80r",
                            forum.label, hit)
                bad.append(json_unreadable(hit, err, response_url=resp.url))
                continue
            by_topic.setdefault(topic, []).append(hit["id"])
        for topic, ids in by_topic.items():
            for batch, batch_bad in await forum.posts_by_id(topic, ids, slugs.get(topic)):
                posts += batch
                bad += batch_bad
        yield Page(tuple(posts), walk.dump(), tuple(bad))
        if walk.page is None:
            return


def _topic_slugs(topics: Any) -> dict[int, str]:
    if not isinstance(topics, list):
        return {}
    return {
        t["id"]: t["slug"]
        for t in topics
        if isinstance(t, Mapping)
        and isinstance(t.get("id"), int)
        and isinstance(t.get("slug"), str)
    }


async def _category_topics(forum: Forum, value: str) -> list[tuple[int, int | None]]:
    match = _CATEGORY.match(value)
    assert match is not None  # parse_target checked it
    slug, ident = match.group(1), match.group(2)
    path = f"/c/{quote(slug)}/{ident}.json" if slug else f"/c/{ident}.json"
    pages = int_option(forum.source.options, "topic_pages", 1, 1, 100, source=forum.label)
    topics: list[tuple[int, int | None]] = []
    for number in range(pages):
        data, _ = await forum.get_json(path, [("page", str(number))] if number else [])
        found = listed_topics(data, label=forum.label)
        topics += [t for t in found if t not in topics]
        if not found:
            break
    return topics
