"""Bluesky ``app.bsky.feed.defs#postView`` (and feed items around it) → ``Post``.

``post_id`` is the post's ``at://`` URI (global and stable); the permalink is the bsky.app page
``https://bsky.app/profile/<handle>/post/<rkey>``. ``created_at`` is the time the author's client
wrote into the record when it carries a timezone, else the AppView's ``indexedAt`` (a record's
``createdAt`` is client-supplied and sometimes lacks an offset; we never guess one).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from connectors.base import MalformedResponse
from connectors.http.parse import item_raw, parse_iso8601_utc
from connectors.post import Post
from connectors.text import clean_text

PLATFORM = "bluesky"
REPOST = "app.bsky.feed.defs#reasonRepost"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def sort_key(value: Any) -> str | None:
    """A feed time as fixed-format UTC text, so keys compare correctly as strings."""
    try:
        when = parse_iso8601_utc(value)
    except MalformedResponse:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def feed_item_key(item: Any) -> str | None:
    """When a feed item entered the feed: the repost time for reposts, else the post's."""
    if not isinstance(item, Mapping):
        return None
    reason = item.get("reason")
    if isinstance(reason, Mapping) and reason.get("$type") == REPOST:
        key = sort_key(reason.get("indexedAt"))
        if key:
            return key
    post = item.get("post", item)
    return sort_key(post.get("indexedAt")) if isinstance(post, Mapping) else None


def permalink(handle: str, did: str, uri: str) -> str:
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    who = handle if handle and handle != "handle.invalid" else did
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def _created(post: Mapping[str, Any], record: Mapping[str, Any], source: str, uri: str) -> datetime:
    try:
        return parse_iso8601_utc(record.get("createdAt"), source=source, what="createdAt")
    except MalformedResponse:
        return parse_iso8601_utc(post.get("indexedAt"), source=source, what=f"indexedAt of {uri}")


def _ref(reply: Any, which: str) -> str | None:
    if not isinstance(reply, Mapping):
        return None
    ref = reply.get(which)
    return _str(ref.get("uri")) if isinstance(ref, Mapping) else None


def post_text(record: Mapping[str, Any], post: Mapping[str, Any]) -> str:
    """The post's text plus the text a reader sees embedded: image alt text, a link card."""
    parts = [clean_text(record.get("text") or "") if isinstance(record.get("text"), str) else ""]
    embed = post.get("embed")
    if isinstance(embed, Mapping):
        for image in embed.get("images") or ():
            alt = image.get("alt") if isinstance(image, Mapping) else None
            if isinstance(alt, str) and alt.strip():
                parts.append("[image: " + clean_text(alt) + "]")
        external = embed.get("external")
        if isinstance(external, Mapping):
            title = external.get("title")
            if isinstance(title, str) and title.strip():
                parts.append("[link: " + clean_text(title) + "]")
    # Cleaned again as a whole so that the parts together stay within the length bound.
    return clean_text("\n\n".join(p for p in parts if p))


def parse_post(
    item: Any,
    *,
    source: str,
    response: bytes | None = None,
    response_url: str | None = None,
) -> Post:
    """A feed item (``{"post": ...}``) or a bare post view as a Post."""
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"{source}: feed item is not a JSON object: {str(item)[:80]!r}")
    post = item.get("post", item)
    if not isinstance(post, Mapping):
        raise MalformedResponse(f"{source}: feed item has no post object")
    uri = _str(post.get("uri"))
    if not uri or not uri.startswith("at://"):
        raise MalformedResponse(f"{source}: post has no at:// uri: {uri!r:.80}")
    author = post.get("author")
    record = post.get("record")
    if not isinstance(author, Mapping) or not isinstance(record, Mapping):
        raise MalformedResponse(f"{source}: post {uri} lacks its author or record")
    did = _str(author.get("did"))
    if not did:
        raise MalformedResponse(f"{source}: post {uri} has no author did")
    handle = _str(author.get("handle")) or did
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None
    return Post(
        platform=PLATFORM,
        post_id=uri,
        url=permalink(handle, did, uri),
        author_handle=handle,
        author_id=did,
        created_at=_created(post, record, source, uri),
        text=post_text(record, post),
        raw=item_raw(item),
        language=language.lower() if language else None,
        thread_id=_ref(record.get("reply"), "root"),
        parent_id=_ref(record.get("reply"), "parent"),
        response=response,
        response_url=response_url,
    )
