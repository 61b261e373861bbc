"""YouTube comments (Data API v3) of one video or of everything on one channel.

Target grammar (``SourceSpec.target``)::

    video:<video id>          e.g.  video:dQw4w9WgXcQ
    channel:<channel id>      e.g.  channel:UC_x5XG1OV2P6uZZ5FSM9Ttw  (allThreadsRelatedToChannelId)
    <video id> | https://www.youtube.com/watch?v=<id> | https://youtu.be/<id>

Needs an API key in ``credentials["api_key"]``. The key travels in the ``X-Goog-Api-Key`` header,
never in the URL, so it cannot leak through a logged URL; every error message is redacted too.
``base_url`` defaults to ``https://www.googleapis.com/youtube/v3``.

``commentThreads`` is read ``order=time`` (newest first) with ``pageToken`` as a resumable walk
(the shared ``Walk`` of ``connectors.http``, keyed by the top-level comment's UTC time).
Replies come embedded in the thread; when a thread has more than it embeds they are read from
``comments?parentId=`` (all pages) with the thread. A reply added later to a thread older than
the high-water mark is not seen (the API lists threads by their top-level comment's time).

Quota exhaustion (403 ``quotaExceeded`` / ``rateLimitExceeded``) raises ``RateLimited`` until the
next midnight Pacific time, when YouTube resets quotas; ``keyInvalid`` (400) and ``forbidden``
(403) raise ``AuthFailed``; ``commentsDisabled`` is ``PermanentError``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Any

import aiohttp

from connectors.base import (
    AuthFailed,
    ConnectorBase,
    MalformedResponse,
    Page,
    PermanentError,
    SourceSpec,
    Unreadable,
)
from connectors.http.client import Response, request
from connectors.http.parse import json_unreadable, load_item
from connectors.http.walk import Walk
from connectors.post import Post
from connectors.youtube.parse import comment_post, raise_for_error, thread_parts

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://www.googleapis.com/youtube/v3"
MAX_RESULTS = "100"
_VIDEO = re.compile(r"^[A-Za-z0-9_-]{11}$")
_CHANNEL = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_URL = re.compile(r"(?:youtube\.com/(?:watch\?(?:.*&)?v=|shorts/)|youtu\.be/)([A-Za-z0-9_-]{11})")


def parse_target(target: str, *, source: str) -> tuple[str, str]:
    """(API filter parameter, its value)."""
    text = target.strip()
    kind, _, value = text.partition(":")
    if kind == "video" and _VIDEO.match(value):
        return "videoId", value
    if kind == "channel" and _CHANNEL.match(value):
        return "allThreadsRelatedToChannelId", value
    match = _URL.search(text)
    if match:
        return "videoId", match.group(1)
    if _VIDEO.match(text):
        return "videoId", text
    raise PermanentError(
        f"{source}: {target!r} is not a YouTube target; use 'video:<11-character id>', "
        "'channel:UC<22 characters>' or a watch URL"
    )


class YouTubeConnector(ConnectorBase):
    name = "youtube"

    async def _get(
        self, session: aiohttp.ClientSession, url: str, params: Mapping[str, str], *,
        key: str, label: str,
    ) -> tuple[Response, Mapping[str, Any]]:
        response = await request(
            session, "GET", url, source=label, params=params,
            headers={"X-Goog-Api-Key": key, "Accept": "application/json"},
            secrets=(key,), retry=self._retry, sleep=self._sleep, clock=self._clock,
            ok=lambda s: 200 <= s < 300 or s in (400, 403),
        )
        now = datetime.fromtimestamp(self._clock(), tz=UTC)
        raise_for_error(response, source=label, now=now, key=key)
        data = response.json()
        if not isinstance(data, Mapping) or not isinstance(data.get("items", []), list):
            raise MalformedResponse(f"{label}: {response.url} is not a YouTube list response")
        return response, data

    async def _replies(
        self, session: aiohttp.ClientSession, base: str, parent: str, *, key: str, label: str
    ) -> list[tuple[Any, Response]]:
        out: list[tuple[Any, Response]] = []
        token: str | None = None
        while True:
            params = {"part": "snippet", "parentId": parent, "maxResults": MAX_RESULTS,
                      "textFormat": "html"}
            if token:
                params["pageToken"] = token
            response, data = await self._get(session, f"{base}/comments", params, key=key,
                                             label=label)
            out.extend((item, response) for item in data.get("items", []))
            nxt = data.get("nextPageToken")
            if not isinstance(nxt, str) or not nxt or nxt == token:
                return out
            token = nxt

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        param, value = parse_target(source.target, source=label)
        key = source.credentials.get("api_key", "")
        if not key:
            raise AuthFailed(f"{label}: a YouTube source needs an API key (credentials api_key)")
        base = (source.base_url or DEFAULT_BASE).rstrip("/")
        walk = Walk.load(cursor, source=label)
        while True:
            params = {"part": "snippet,replies", param: value, "order": "time",
                      "maxResults": MAX_RESULTS, "textFormat": "html"}
            if walk.page:
                params["pageToken"] = walk.page
            token = walk.page
            response, data = await self._get(session, f"{base}/commentThreads", params, key=key,
                                             label=label)
            threads = list(data.get("items", []))
            keys: list[str | None] = []
            for thread in threads:
                try:
                    keys.append(thread_parts(thread, source=label)[0])
                except MalformedResponse:
                    keys.append(None)  # kept, so the parse below skips it with a warning
            nxt = data.get("nextPageToken")
            next_page = nxt if isinstance(nxt, str) and nxt and nxt != token else None
            walk, keep = walk.advance(keys, next_page, backfill_limit=backfill_limit,
                                      inclusive=True)
            posts: list[Post] = []
            unreadable: list[Unreadable] = []
            for thread, wanted in zip(threads, keep, strict=True):
                if not wanted:
                    continue
                try:
                    more, bad = await self._thread_posts(session, base, thread, response,
                                                         key=key, label=label, channel=value)
                except MalformedResponse as err:
                    log.warning("%s: could not read YouTube comment thread, kept to retry: %s",
                                label, err)
                    ident = thread.get("id") if isinstance(thread, Mapping) else None
                    unreadable.append(json_unreadable(thread, err, key=ident,
                                                      response_url=response.url))
                    continue
                posts.extend(more)
                unreadable.extend(bad)
            yield Page(tuple(posts), walk.dump(), tuple(unreadable))
            if walk.page is None:
                return

    async def _thread_posts(
        self, session: aiohttp.ClientSession, base: str, thread: Any, response: Response, *,
        key: str, label: str, channel: str,
    ) -> tuple[list[Post], list[Unreadable]]:
        _, tid, snip, embedded = thread_parts(thread, source=label)
        items: list[tuple[Any, Response | None]] = [(snip.get("topLevelComment"), response)]
        total = snip.get("totalReplyCount")
        if isinstance(total, int) and total > len(embedded):
            fetched = await self._replies(session, base, tid, key=key, label=label)
            items += merge_replies(fetched, [(reply, response) for reply in embedded])
        else:
            items += [(reply, response) for reply in embedded]
        return thread_posts(items, snip, tid, label=label, channel=channel)

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        """A kept thread (its top-level comment and embedded replies) or a single comment."""
        label = source.label()
        raw = load_item(item.raw, source=label)
        _, channel = parse_target(source.target, source=label)
        if isinstance(raw, Mapping) and raw.get("kind") == "youtube#comment":
            found = raw.get("snippet")
            snip: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
            parent = snip.get("parentId")
            tid = parent if isinstance(parent, str) else str(raw.get("id"))
            items: list[tuple[Any, Response | None]] = [(raw, None)]
            posts, bad = thread_posts(items, snip, tid, label=label, channel=channel)
        else:
            _, tid, snip, embedded = thread_parts(raw, source=label)
            items = [(snip.get("topLevelComment"), None), *((r, None) for r in embedded)]
            posts, bad = thread_posts(items, snip, tid, label=label, channel=channel)
        if bad:
            raise MalformedResponse(bad[0].reason)
        return tuple(posts)


def merge_replies(
    fetched: list[tuple[Any, Response]], embedded: list[tuple[Any, Response | None]]
) -> list[tuple[Any, Response | None]]:
    """The replies fetched for a thread plus any embedded reply they do not include.

    ``comments.list`` can return fewer replies than the thread embeds (held for review, or
    removed since): the embedded ones were public when the thread page was captured, so they
    are kept rather than replaced."""
    out: list[tuple[Any, Response | None]] = list(fetched)
    have = {item.get("id") for item, _ in fetched if isinstance(item, Mapping)}
    out += [(item, came_in) for item, came_in in embedded
            if not isinstance(item, Mapping) or item.get("id") not in have]
    return out


def thread_posts(
    items: list[tuple[Any, Response | None]], snip: Mapping[str, Any], tid: str, *, label: str,
    channel: str,
) -> tuple[list[Post], list[Unreadable]]:
    video = snip.get("videoId") if isinstance(snip.get("videoId"), str) else None
    channel_id = snip.get("channelId") if isinstance(snip.get("channelId"), str) else channel
    posts: list[Post] = []
    unreadable: list[Unreadable] = []
    for item, came_in in items:
        try:
            posts.append(comment_post(item, video_id=video, channel_id=channel_id,
                                      thread_id=tid, source=label, response=came_in))
        except (MalformedResponse, ValueError) as err:
            log.warning("%s: could not read YouTube comment in thread %s, kept to retry: %s",
                        label, tid, err)
            ident = item.get("id") if isinstance(item, Mapping) else None
            url = came_in.url if came_in is not None else None
            unreadable.append(json_unreadable(item, err, key=ident, response_url=url))
    return posts, unreadable
