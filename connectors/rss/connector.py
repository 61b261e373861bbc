"""RSS 2.0 / Atom feeds: local news comment feeds, blogs, forum feeds.

Target grammar (``SourceSpec.target``)::

    <feed URL>      e.g.  https://news.example.co.uk/comments/feed/

When ``base_url`` is set, the target's path and query are requested from ``base_url`` instead of
the target's own host (so a test server or a mirror can stand in); permalinks still come from
the feed. ``base_url`` alone with a relative target (``/posts.rss``) also works.

Each fetch is conditional (``If-None-Match`` / ``If-Modified-Since`` from the cursor); 304 means
no new posts. The cursor is ``{"etag", "last_modified", "floor"}``. A first run keeps the newest
``backfill_limit`` entries (0: none, only the starting point) and remembers the oldest kept time
as ``floor``; later runs keep every entry at or after it (and undated ones). Feeds hold only
their latest entries and are re-read whole, so an entry is often read again: ingest is
idempotent, and an entry published late with an older date is never lost to a high-water mark.

``post_id`` is the entry's id/guid when it is a URL or a ``tag:``/URN, otherwise ``<feed URL>#<id>``
(a bare guid like ``42`` is only unique within its feed); an entry with neither id nor link is
skipped. ``raw`` is the entry's fields as deterministic JSON; ``Post.response`` the feed bytes.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import aiohttp

from connectors.base import (
    ConnectorBase,
    MalformedResponse,
    Page,
    PermanentError,
    SourceSpec,
    Unreadable,
)
from connectors.http.client import Response, request
from connectors.http.parse import load_item, parse_http_date
from connectors.post import Post, sha256_hex
from connectors.rss.parse import (
    entry_author,
    entry_language,
    entry_raw,
    entry_text,
    entry_time,
    parse_feed,
)

log = logging.getLogger(__name__)

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)


def _load_state(cursor: str | None, label: str) -> dict[str, str | None]:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError as err:
        raise PermanentError(f"{label}: stored cursor is not JSON: {cursor!r:.80}") from err
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str | None) for k in ("etag", "last_modified", "floor")
    ):
        raise PermanentError(
            f"{label}: stored cursor is not an RSS cursor: {cursor!r:.80}; "
            "clear the source's cursor to start again"
        )
    return data


def _dump_state(state: Mapping[str, str | None]) -> str:
    return json.dumps(dict(state), sort_keys=True, separators=(",", ":"))


def feed_url(source: SourceSpec) -> str:
    target = source.target.strip()
    parts = urlsplit(target)
    if source.base_url:
        base = source.base_url.rstrip("/") + "/"
        if parts.scheme:
            return urljoin(base, urlunsplit(("", "", parts.path.lstrip("/"), parts.query, "")))
        return urljoin(base, target.lstrip("/"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PermanentError(
            f"{source.label()}: {target!r} is not a feed URL; use an absolute "
            "http(s) URL such as https://example.org/feed.xml"
        )
    return target


MAX_ID = 255  # captures.post_id is VARCHAR(255)


def _post_id(entry_id: str, feed: str) -> str:
    pid = entry_id if "://" in entry_id or entry_id.startswith(("tag:", "urn:")) else (
        f"{feed}#{entry_id}")
    if len(pid) > MAX_ID:
        # Long guids (tracking-laden URLs) keep a readable head and stay unique by their hash.
        pid = f"{pid[:180]}#sha256:{sha256_hex(pid.encode('utf-8'))}"
    return pid


def _thread(link: str) -> str | None:
    # Comment feeds link each comment as <article URL>#comment-<n>: the article is the thread.
    if "#" in link:
        article = link.split("#", 1)[0]
        return article or None
    return None


def to_post(
    entry: Mapping[str, Any],
    feed: Mapping[str, Any],
    *,
    url: str,
    when: datetime | None,
    fetched: datetime,
    response: Response,
) -> Post:
    """One entry as a Post; ``when`` None (a date that cannot be read) stores the fetch time,
    the latest the entry can have been published, marked as not the real date."""
    raw_id = entry.get("id") or entry.get("guid") or entry.get("link")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise MalformedResponse("entry has neither id/guid nor link")
    link = entry.get("link")
    link = link if isinstance(link, str) else ""
    permalink = link or (raw_id if "://" in raw_id else url)
    author, author_id = entry_author(entry)
    if not author:
        feed_author = feed.get("author") or feed.get("title")
        author = feed_author if isinstance(feed_author, str) else urlsplit(url).netloc
    return Post(
        platform="rss",
        post_id=_post_id(raw_id.strip(), url),
        url=permalink,
        author_handle=author,
        author_id=author_id,
        created_at=when or fetched,
        created_at_known=when is not None,
        text=entry_text(entry),
        raw=entry_raw(entry),
        language=entry_language(entry, feed),
        thread_id=_thread(link),
        response=response.body,
        response_url=response.url,
    )


class RssConnector(ConnectorBase):
    name = "rss"

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        """A kept entry (its fields as feedparser read them) read again; its feed's fields are
        not kept, so the author falls back to the feed's host."""
        label = source.label()
        entry = load_item(item.raw, source=label)
        if not isinstance(entry, Mapping):
            raise MalformedResponse(f"{label}: kept feed entry is not an object")
        url = feed_url(source)
        target = source.target.strip()
        identity = target if urlsplit(target).scheme in ("http", "https") else url
        response = Response(200, {}, b"", item.response_url or url, source=label)
        captured = datetime.fromtimestamp(self._clock(), tz=UTC)
        post = to_post(entry, {}, url=identity, when=_kept_time(entry), fetched=captured,
                       response=response)
        return (replace(post, response=None, response_url=item.response_url),)

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        url = feed_url(source)
        # Ids and fallback links are scoped to the feed's own URL, not to a stand-in base_url.
        target = source.target.strip()
        identity = target if urlsplit(target).scheme in ("http", "https") else url
        state = _load_state(cursor, label)
        headers = {"Accept": ACCEPT}
        etag, modified = state.get("etag"), state.get("last_modified")
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        response = await request(
            session, "GET", url, source=label, headers=headers, retry=self._retry, sleep=self._sleep
        )
        if response.status == 304:
            yield Page((), _dump_state(state))
            return
        feed = parse_feed(
            response.body,
            url=response.url,
            source=label,
            content_type=response.headers.get("Content-Type", ""),
        )
        fetched = parse_http_date(response.headers.get("Date")) or datetime.fromtimestamp(
            self._clock(), tz=UTC
        )
        dated = [(entry_time(e), e) for e in feed.entries]
        # Newest first, so a first run's back-fill keeps the newest entries; an entry whose date
        # cannot be read sorts as newest (it is always kept); stable for ties.
        dated.sort(key=lambda pair: pair[0] or fetched, reverse=True)
        first_run = "floor" not in state
        floor = None if first_run else state.get("floor")
        if floor is not None:
            floor_time = datetime.fromisoformat(floor)
            dated = [(t, e) for t, e in dated if t is None or t >= floor_time]
        posts: list[Post] = []
        seen: set[str] = set()
        unreadable: list[Unreadable] = []
        for when, entry in dated:
            if first_run and len(posts) >= backfill_limit:
                break  # 0 takes nothing and only sets the floor, as for the shared Walk
            try:
                post = to_post(entry, feed.feed, url=identity, when=when, fetched=fetched,
                               response=response)
            except (MalformedResponse, ValueError, TypeError) as err:
                name = entry.get("title") or entry.get("link") or "(untitled)"
                log.warning("%s: could not read feed entry %.80r, kept to retry: %s",
                            label, name, err)
                unreadable.append(Unreadable(entry_raw(entry), str(err)[:500],
                                             response_url=response.url))
                continue
            if post.post_id in seen:
                continue
            seen.add(post.post_id)
            posts.append(post)
        undated = sum(1 for p in posts if not p.created_at_known)
        if undated:
            log.warning("%s: %d entries of %s have a date that cannot be read; stored with the "
                        "date unknown", label, undated, response.url)
        incomplete: tuple[str, ...] = ()
        if not feed.whole:
            # Entries after the break were never read: keep neither this response's validator
            # (the next fetch would get 304 and never read them) nor a new floor.
            incomplete = (f"feed {response.url} broke off before its end ({feed.bozo_reason}); "
                          f"{len(feed.entries)} entries read, it is read whole again next sweep",)
            out = {"etag": None, "last_modified": None, "floor": state.get("floor")}
            if first_run:
                out.pop("floor")
        else:
            if first_run:
                floor = _first_floor(posts, dated, fetched)
            out = {
                "etag": response.headers.get("ETag"),
                "last_modified": response.headers.get("Last-Modified"),
                "floor": floor,
            }
        yield Page(tuple(posts), _dump_state(out), tuple(unreadable), incomplete)


def _kept_time(entry: Mapping[str, Any]) -> datetime | None:
    """``entry_time`` of an entry kept as JSON, where feedparser's struct_times became lists."""
    restored = dict(entry)
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, list) and len(value) == 9:
            restored[key] = time.struct_time(value)
    return entry_time(restored)


def _first_floor(
    posts: list[Post], dated: list[tuple[datetime | None, Mapping[str, Any]]], fetched: datetime
) -> str:
    """Where a first run starts: the oldest kept entry's *read* date; with none kept, the newest
    read date (back-fill 0: only later entries come), else the fetch time. An unknown date is
    never used: a floor on a guessed time could hide real entries."""
    known = [p.created_at for p in posts if p.created_at_known]
    newest = max((t for t, _ in dated if t is not None), default=fetched)
    return min(known, default=newest).isoformat()
