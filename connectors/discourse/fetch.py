"""One Discourse post by its URL (``/t/slug/TOPIC[/N]``, ``/t/TOPIC/N``), for
``connectors.resolve``. Discourse is self-hosted: only hosts the operator trusts are asked."""

from __future__ import annotations

import re
from urllib.parse import SplitResult

from connectors.base import Target
from connectors.discourse.parse import parse_post
from connectors.http.oneshot import Call
from connectors.post import Post

HOSTS: frozenset[str] = frozenset()  # any trusted forum
_PATH = re.compile(r"^/t/(?:([^/]+)/)?(\d{1,12})(?:/(\d{1,7}))?/?$")


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    m = _PATH.match(parts.path)
    if not m:
        return None
    slug, topic, number = m.group(1), m.group(2), m.group(3)
    # "/t/123/4" is topic 123, post 4; "/t/slug/123" is post 1 of topic 123.
    if slug is not None and slug.isdigit() and number is None:
        slug, topic, number = None, slug, topic
    return (topic, number or "1")


async def fetch_post(call: Call, t: Target) -> Post | None:
    topic, number = t.ids
    resp, data = await call.json(f"https://{t.host}/posts/by_number/{topic}/{number}.json")
    if data.get("deleted_at") or data.get("user_deleted") or data.get("hidden"):
        return None
    return parse_post(data, base=f"https://{t.host}", source=call.label, response=resp.body,
                      response_url=resp.url)
