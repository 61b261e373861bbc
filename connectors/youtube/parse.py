"""YouTube Data API v3 comment resources → ``Post``, and its error envelopes → our errors.

A ``commentThread`` holds a top-level ``comment`` and, under ``replies.comments``, up to a few of
its replies; each comment becomes one post. ``thread_id`` is the top-level comment's id, replies
carry ``parent_id``. The permalink opens the video with that comment highlighted (``&lc=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.base import AuthFailed, MalformedResponse, PermanentError, RateLimited
from connectors.http.client import Response, excerpt, redact
from connectors.http.parse import item_raw, parse_iso8601_utc
from connectors.post import Post
from connectors.text import html_to_text

PACIFIC = ZoneInfo("America/Los_Angeles")
QUOTA_REASONS = frozenset(
    {"quotaExceeded", "rateLimitExceeded", "dailyLimitExceeded", "userRateLimitExceeded"}
)
AUTH_REASONS = frozenset(
    {"keyInvalid", "keyExpired", "forbidden", "accessNotConfigured", "ipRefererBlocked",
     "API_KEY_INVALID", "API_KEY_SERVICE_BLOCKED", "SERVICE_DISABLED", "PERMISSION_DENIED"}
)


def until_quota_reset(now: datetime) -> float:
    """Seconds from ``now`` until the next midnight Pacific time, when YouTube resets quotas."""
    local = now.astimezone(PACIFIC)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1.0, midnight.timestamp() - now.timestamp())


def error_reasons(response: Response) -> list[str]:
    """Every ``reason`` in a Google API error body (``errors[]`` and ``details[]``)."""
    try:
        data = response.json()
    except MalformedResponse:
        return []
    error = data.get("error") if isinstance(data, Mapping) else None
    if not isinstance(error, Mapping):
        return []
    reasons: list[str] = []
    for key in ("errors", "details"):
        for entry in error.get(key) or []:
            if isinstance(entry, Mapping) and isinstance(entry.get("reason"), str):
                reasons.append(entry["reason"])
    if isinstance(error.get("status"), str):
        reasons.append(error["status"])
    return reasons


def raise_for_error(response: Response, *, source: str, now: datetime, key: str) -> None:
    """Classify a 400/403 answer; returns only for a 2xx response."""
    if 200 <= response.status < 300:
        return
    reasons = error_reasons(response)
    detail = excerpt(response.body, (key,))
    shown = ", ".join(reasons) or f"HTTP {response.status}"
    if QUOTA_REASONS.intersection(reasons):
        wait = until_quota_reset(now)
        raise RateLimited(
            f"{source}: YouTube API quota exhausted ({shown}); it resets at midnight Pacific "
            f"time, in {wait / 3600:.1f}h", wait)
    if "commentsDisabled" in reasons:
        raise PermanentError(f"{source}: comments are disabled for {response.url}")
    if response.status == 403 or AUTH_REASONS.intersection(reasons):
        raise AuthFailed(redact(
            f"{source}: YouTube refused the API key ({shown}, HTTP {response.status}); check the "
            f"key and that the YouTube Data API v3 is enabled for it: {detail}", (key,)))
    raise PermanentError(redact(f"{source}: HTTP {response.status} from {response.url} "
                                f"({shown}): {detail}", (key,)))


def _snippet(obj: Any, what: str, source: str) -> Mapping[str, Any]:
    snippet = obj.get("snippet") if isinstance(obj, Mapping) else None
    if not isinstance(snippet, Mapping):
        raise MalformedResponse(f"{source}: {what} has no snippet")
    return snippet


def permalink(video_id: str | None, channel_id: str | None, comment_id: str) -> str:
    if video_id:
        return f"https://www.youtube.com/watch?v={video_id}&lc={comment_id}"
    return f"https://www.youtube.com/channel/{channel_id or ''}?lc={comment_id}"


def comment_post(
    comment: Any, *, video_id: str | None, channel_id: str | None, thread_id: str, source: str,
    response: Response | None,
) -> Post:
    if not isinstance(comment, Mapping) or not isinstance(comment.get("id"), str):
        raise MalformedResponse(f"{source}: comment without an id")
    cid: str = comment["id"]
    snip = _snippet(comment, f"comment {cid}", source)
    author = snip.get("authorChannelId")
    author_id = author.get("value") if isinstance(author, Mapping) else None
    handle = snip.get("authorDisplayName")
    if not isinstance(handle, str) or not handle:
        raise MalformedResponse(f"{source}: comment {cid} has no authorDisplayName")
    text = snip.get("textDisplay")
    parent = snip.get("parentId")
    video = snip.get("videoId") if isinstance(snip.get("videoId"), str) else video_id
    return Post(
        platform="youtube",
        post_id=cid,
        url=permalink(video, channel_id, cid),
        author_handle=handle,
        author_id=author_id if isinstance(author_id, str) else None,
        created_at=parse_iso8601_utc(snip.get("publishedAt"), source=source,
                                     what=f"publishedAt of comment {cid}"),
        text=html_to_text(text) if isinstance(text, str) else "",
        raw=item_raw(comment),
        thread_id=thread_id,
        parent_id=parent if isinstance(parent, str) and parent != cid else None,
        response=response.body if response is not None else None,
        response_url=response.url if response is not None else None,
    )


def thread_parts(thread: Any, *, source: str) -> tuple[str, str, Mapping[str, Any], list[Any]]:
    """(walk key, thread id, snippet, embedded replies) of a ``commentThread``."""
    if not isinstance(thread, Mapping) or not isinstance(thread.get("id"), str):
        raise MalformedResponse(f"{source}: comment thread without an id")
    tid: str = thread["id"]
    snip = _snippet(thread, f"thread {tid}", source)
    top = snip.get("topLevelComment")
    top_snip = _snippet(top, f"top-level comment of thread {tid}", source)
    when = parse_iso8601_utc(top_snip.get("publishedAt"), source=source,
                             what=f"publishedAt of thread {tid}")
    replies = thread.get("replies")
    embedded = replies.get("comments") if isinstance(replies, Mapping) else None
    key = f"{when.strftime('%Y-%m-%dT%H:%M:%S.%f')}|{tid}"
    return key, tid, snip, list(embedded) if isinstance(embedded, list) else []
