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
)
from connectors.http.client import Response, request
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
            skipped = 0
            for thread, wanted in zip(threads, keep, strict=True):
                if not wanted:
                    continue
                try:
                    more, bad = await self._thread_posts(session, base, thread, response,
                                                         key=key, label=label, channel=value)
                except MalformedResponse as err:
                    skipped += 1
                    log.warning("%s: skipping malformed YouTube comment thread: %s", label, err)
                    continue
                posts.extend(more)
                skipped += bad
            yield Page(tuple(posts), walk.dump(), skipped)
            if walk.page is None:
                return

    async def _thread_posts(
        self, session: aiohttp.ClientSession, base: str, thread: Any, response: Response, *,
        key: str, label: str, channel: str,
    ) -> tuple[list[Post], int]:
        _, tid, snip, embedded = thread_parts(thread, source=label)
        video = snip.get("videoId") if isinstance(snip.get("videoId"), str) else None
        channel_id = snip.get("channelId") if isinstance(snip.get("channelId"), str) else channel
        items: list[tuple[Any, Response]] = [(snip.get("topLevelComment"), response)]
        total = snip.get("totalReplyCount")
        if isinstance(total, int) and total > len(embedded):
            items += await self._replies(session, base, tid, key=key, label=label)
        else:
            items += [(reply, response) for reply in embedded]
        posts: list[Post] = []
        skipped = 0
        for item, came_in in items:
            try:
                posts.append(comment_post(item, video_id=video, channel_id=channel_id,
                                          thread_id=tid, source=label, response=came_in))
            except (MalformedResponse, ValueError) as err:
                skipped += 1
                log.warning("%s: skipping malformed YouTube comment in thread %s: %s", label,
                            tid, err)
        return posts, skipped
