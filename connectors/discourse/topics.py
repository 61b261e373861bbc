"""Reading Discourse topics (one, or a category's recently active ones) incrementally.

A category lists topics by last activity, not posts by age, so one high-water mark cannot work:
the cursor keeps, per topic, the highest post id stored and the topic's ``highest_post_number``
(an unchanged topic costs no request), plus ``floor``, the highest post id stored anywhere, which
bounds what is taken from a topic that is new to us on a later sweep. The cursor is rewritten
after every topic, so a crash loses at most the topic in progress, which is read again.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.base import MalformedResponse, Page, PermanentError
from connectors.discourse.client import Forum
from connectors.post import Post

MAX_TOPICS_REMEMBERED = 1000


@dataclass
class TopicMarks:
    topics: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    floor: int | None = None

    @classmethod
    def load(cls, cursor: str | None, *, source: str) -> TopicMarks:
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
            topics = {
                str(k): (int(v[0]), None if v[1] is None else int(v[1]))
                for k, v in data.get("topics", {}).items()
            }
            floor = data.get("floor")
            return cls(topics, None if floor is None else int(floor))
        except (ValueError, TypeError, AttributeError, IndexError) as err:
            raise PermanentError(
                f"{source}: stored cursor is not a topic map: {cursor[:80]!r}"
            ) from err

    def dump(self) -> str:
        if len(self.topics) > MAX_TOPICS_REMEMBERED:
            # Forget the topics quietest for longest; if one wakes up, `floor` still bounds it.
            keep = sorted(self.topics.items(), key=lambda kv: kv[1][0], reverse=True)
            self.topics = dict(keep[:MAX_TOPICS_REMEMBERED])
        data = {"topics": {k: list(v) for k, v in self.topics.items()}, "floor": self.floor}
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _ints(values: Any) -> list[int]:
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


async def topic_pages(
    forum: Forum,
    topics: Sequence[tuple[int, int | None]],
    cursor: str | None,
    *,
    backfill_limit: int,
) -> AsyncIterator[Page]:
    """One page per topic with new posts; ``topics`` are (id, highest_post_number or None)."""
    marks = TopicMarks.load(cursor, source=forum.label)
    budget: int | None = backfill_limit if not marks.topics and marks.floor is None else None
    # Topics new to us are bounded by the floor as it stood when this sweep began: posts stored
    # earlier in this same sweep say nothing about what another topic holds.
    floor = marks.floor
    yielded = False
    for topic_id, listed_highest in topics:
        known = marks.topics.get(str(topic_id))
        if known and listed_highest is not None and known[1] == listed_highest:
            continue
        data, resp = await forum.get_json(f"/t/{topic_id}.json")
        stream_obj = data.get("post_stream")
        if not isinstance(stream_obj, Mapping):
            raise MalformedResponse(f"{forum.label}: topic {topic_id} has no post_stream")
        stream = _ints(stream_obj.get("stream"))
        raw_first = stream_obj.get("posts")
        first: list[Any] = raw_first if isinstance(raw_first, list) else []
        if not stream:
            stream = [
                p["id"] for p in first if isinstance(p, Mapping) and isinstance(p.get("id"), int)
            ]
        slug = data.get("slug") if isinstance(data.get("slug"), str) else None
        highest = data.get("highest_post_number")
        mark = known[0] if known else floor
        new = [i for i in stream if mark is None or i > mark]
        if budget is not None:
            new = new[len(new) - budget :] if budget < len(new) else new
            budget -= len(new)
        elif known is None and backfill_limit > 0:
            new = new[-backfill_limit:]  # an old topic newly active: its latest posts only
        wanted = set(new)
        shown = [p for p in first if isinstance(p, Mapping) and p.get("id") in wanted]
        # Items without a usable id cannot be matched to the stream; parse them to count them.
        shown += [
            p for p in first if not isinstance(p, Mapping) or not isinstance(p.get("id"), int)
        ]
        posts, bad = forum.parse_all(shown, resp, slug)
        have = {p.get("id") for p in shown if isinstance(p, Mapping)}
        missing = [i for i in new if i not in have]
        for batch_posts, batch_bad in await forum.posts_by_id(topic_id, missing, slug):
            posts += batch_posts
            bad += batch_bad
        top = max([*stream, mark or 0])
        marks.topics[str(topic_id)] = (top, highest if isinstance(highest, int) else listed_highest)
        marks.floor = max(marks.floor or 0, top) or None
        yield Page(tuple(_dedupe(posts)), marks.dump(), tuple(bad))
        yielded = True
        if budget == 0:
            break
    if not yielded:
        yield Page((), marks.dump())


def _dedupe(posts: list[Post]) -> list[Post]:
    seen: set[str] = set()
    out = []
    for post in posts:
        if post.post_id not in seen:
            seen.add(post.post_id)
            out.append(post)
    return out


def listed_topics(data: Mapping[str, Any], *, label: str) -> list[tuple[int, int | None]]:
    """(id, highest_post_number) of a ``topic_list`` response, in the forum's order."""
    topic_list = data.get("topic_list")
    items = topic_list.get("topics") if isinstance(topic_list, Mapping) else None
    if not isinstance(items, list):
        raise MalformedResponse(f"{label}: expected topic_list.topics in the category response")
    out: list[tuple[int, int | None]] = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), int):
            continue
        highest = item.get("highest_post_number")
        out.append((item["id"], highest if isinstance(highest, int) else None))
    return out
