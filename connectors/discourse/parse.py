"""Discourse post JSON (``/posts.json``, ``/t/<id>.json``, ``/t/<id>/posts.json``) → ``Post``.

Post numbers are what a Discourse reader and its URLs use, and replies name their parent by post
number, so a post is identified as ``<forum host>/t/<topic id>/<post number>`` (also its short
link); ``thread_id`` is ``<forum host>/t/<topic id>`` and ``parent_id`` the replied-to post in the
same form. The forum's global numeric post id (what ``before=`` pages by) stays in ``raw``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from connectors.base import MalformedResponse
from connectors.http.parse import item_raw, parse_iso8601_utc
from connectors.post import Post
from connectors.text import html_to_text

PLATFORM = "discourse"


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def post_key(item: Any) -> str | None:
    ident = _int(item.get("id")) if isinstance(item, Mapping) else None
    return None if ident is None else str(ident)


def topic_ref(base: str, topic_id: int, post_number: int | None = None) -> str:
    host = urlsplit(base).netloc or base
    return f"{host}/t/{topic_id}" + (f"/{post_number}" if post_number is not None else "")


def parse_post(
    item: Any,
    *,
    base: str,
    source: str,
    topic_slug: str | None = None,
    response: bytes | None = None,
    response_url: str | None = None,
) -> Post:
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"{source}: post is not a JSON object: {str(item)[:80]!r}")
    ident = _int(item.get("id"))
    topic_id = _int(item.get("topic_id"))
    number = _int(item.get("post_number"))
    if ident is None or topic_id is None or number is None:
        raise MalformedResponse(f"{source}: post {item.get('id')!r} lacks id/topic_id/post_number")
    username = item.get("username")
    if not isinstance(username, str) or not username:
        raise MalformedResponse(f"{source}: post {ident} has no username")
    created = parse_iso8601_utc(
        item.get("created_at"), source=source, what=f"created_at of post {ident}"
    )
    cooked = item.get("cooked")
    text = html_to_text(cooked) if isinstance(cooked, str) else ""
    if not text and isinstance(item.get("raw"), str):
        text = html_to_text(item["raw"])
    slug = item.get("topic_slug") if isinstance(item.get("topic_slug"), str) else topic_slug
    path = f"/t/{quote(slug)}/{topic_id}/{number}" if slug else f"/t/{topic_id}/{number}"
    reply_to = _int(item.get("reply_to_post_number"))
    user_id = _int(item.get("user_id"))
    return Post(
        platform=PLATFORM,
        post_id=topic_ref(base, topic_id, number),
        url=base.rstrip("/") + path,
        author_handle=username,
        author_id=str(user_id) if user_id is not None else None,
        created_at=created,
        text=text,
        raw=item_raw(item),
        thread_id=topic_ref(base, topic_id),
        parent_id=topic_ref(base, topic_id, reply_to) if reply_to else None,
        response=response,
        response_url=response_url,
    )
