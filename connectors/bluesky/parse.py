"""Bluesky ``app.bsky.feed.defs#postView`` (and feed items around it) → ``Post``.

``post_id`` is the post's ``at://`` URI (global and stable); the permalink is the bsky.app page
``https://bsky.app/profile/<handle>/post/<rkey>``. ``created_at`` is the time the author's client
wrote into the record when it carries a timezone and is plausible, else the AppView's
``indexedAt`` (a record's ``createdAt`` is client-supplied: it sometimes lacks an offset, and
years such as 0001 or 1970 occur; we never guess, and ``raw`` keeps what the record said).

``language`` is left unset: the record's ``langs`` is what the author's client declared (often
the app's UI language, wrong for about a quarter of posts), so ingest detects the language from
the text instead; the declared ``langs`` stays in ``raw`` beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from connectors.base import MalformedResponse
from connectors.http.parse import item_raw, parse_iso8601_utc
from connectors.post import Post
from connectors.text import clean_text

PLATFORM = "bluesky"
REPOST = "app.bsky.feed.defs#reasonRepost"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# Before the AT Protocol existed: a client's default or epoch-zero value, not a real time.
EARLIEST = datetime(2022, 1, 1, tzinfo=UTC)
# A client clock a little fast is normal; a year ahead would hold the mark above every post.
FUTURE_SLACK = timedelta(days=1)


def plausible(when: datetime, now: datetime | None = None) -> bool:
    """Whether a time could be a real Bluesky time (not 0001, 1970, or far in the future)."""
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    return EARLIEST <= when <= latest


def sort_key(value: Any, now: datetime | None = None) -> str | None:
    """A feed time as fixed-format UTC text, so keys compare correctly as strings.

    None (an item kept but never taken as reaching the mark) for a time that is not plausible:
    year 0001 would not even format to four digits, and a far-future time would move the mark
    past every later post."""
    try:
        when = parse_iso8601_utc(value)
    except (MalformedResponse, OverflowError):
        return None
    if not plausible(when, now):
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def feed_item_key(item: Any, now: datetime | None = None) -> str | None:
    """When a feed item entered the feed: the repost time for reposts, else the post's."""
    if not isinstance(item, Mapping):
        return None
    reason = item.get("reason")
    if isinstance(reason, Mapping) and reason.get("$type") == REPOST:
        key = sort_key(reason.get("indexedAt"), now)
        if key:
            return key
    post = item.get("post", item)
    return sort_key(post.get("indexedAt"), now) if isinstance(post, Mapping) else None


def permalink(handle: str, did: str, uri: str) -> str:
    rkey = uri.rstrip("/").rsplit("/", 1)[-1]
    who = handle if handle and handle != "handle.invalid" else did
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def _created(post: Mapping[str, Any], record: Mapping[str, Any], source: str, uri: str) -> datetime:
    indexed: datetime | None
    try:
        indexed = parse_iso8601_utc(post.get("indexedAt"), source=source, what="indexedAt")
    except (MalformedResponse, OverflowError):
        indexed = None
    try:
        written = parse_iso8601_utc(record.get("createdAt"), source=source, what="createdAt")
    except (MalformedResponse, OverflowError):
        written = None
    # A client's time is trusted when plausible and not after the AppView saw the post.
    if written is not None and plausible(written, indexed):
        return written
    if indexed is None:
        raise MalformedResponse(f"{source}: post {uri} has neither a usable createdAt nor "
                                "indexedAt")
    return indexed


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
    return Post(
        platform=PLATFORM,
        post_id=uri,
        url=permalink(handle, did, uri),
        author_handle=handle,
        author_id=did,
        created_at=_created(post, record, source, uri),
        text=post_text(record, post),
        raw=item_raw(item),
        language=None,  # detected at ingest; the declared record.langs stays in raw
        thread_id=_ref(record.get("reply"), "root"),
        parent_id=_ref(record.get("reply"), "parent"),
        response=response,
        response_url=response_url,
    )
