"""Mastodon status JSON → ``Post``.

A boost (``reblog``) is captured as the boosted status itself: that is the content someone chose
to spread, and its own id makes the same status boosted twice one post. Ids are the ActivityPub
``uri``, which is the same on every instance, so a status seen through two instances is one post.
``parent_id`` is the parent's ``uri`` when the same response shows it (always for a thread
context), else None: Mastodon names parents only by instance-local id; ``raw`` keeps that id.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.base import MalformedResponse
from connectors.http.parse import item_raw, parse_iso8601_utc
from connectors.post import Post
from connectors.text import clean_text, html_to_text

log = logging.getLogger(__name__)
PLATFORM = "mastodon"


def _str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    return None


def _require(obj: Mapping[str, Any], key: str, source: str) -> str:
    value = _str(obj.get(key))
    if not value:
        raise MalformedResponse(f"{source}: status has no {key!r}")
    return value


def full_acct(account: Mapping[str, Any]) -> str:
    """``user@domain`` even for accounts local to the instance (whose ``acct`` has no domain)."""
    acct = _str(account.get("acct")) or _str(account.get("username")) or ""
    if "@" in acct:
        return acct
    host = _host(_str(account.get("url")) or "")
    return f"{acct}@{host}" if host else acct


def _host(url: str) -> str | None:
    """The instance as Mastodon names it in an ``acct``: host *and* port when there is one
    (``localhost:3000``), else two instances on one host would share every handle."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    return f"{host}:{port}" if port is not None else host


def status_text(status: Mapping[str, Any]) -> str:
    """What a reader sees: the content warning, the content, and any poll options."""
    parts: list[str] = []
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        parts.append("CW: " + clean_text(spoiler))
    content = status.get("content")
    if isinstance(content, str):
        parts.append(html_to_text(content))
    poll = status.get("poll")
    if isinstance(poll, Mapping):
        options = [o.get("title") for o in poll.get("options") or () if isinstance(o, Mapping)]
        parts.extend("• " + clean_text(t) for t in options if isinstance(t, str))
    # Cleaned again as a whole so that the parts together stay within the length bound.
    return clean_text("\n\n".join(p for p in parts if p))


def status_key(item: Mapping[str, Any]) -> str | None:
    """The listing's own id of an item (the boost's id, not the boosted status's): the walk key."""
    return _str(item.get("id"))


def parse_status(
    item: Any,
    *,
    source: str,
    response: bytes | None = None,
    response_url: str | None = None,
    thread_id: str | None = None,
    uris: Mapping[str, str] | None = None,
) -> Post:
    """One status (or boost) as a Post; raises MalformedResponse naming the source and item."""
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"{source}: status is not a JSON object: {str(item)[:80]!r}")
    status: Mapping[str, Any] = item
    reblog = item.get("reblog")
    if isinstance(reblog, Mapping):
        status = reblog
    local_id = _require(status, "id", source)
    account = status.get("account")
    if not isinstance(account, Mapping):
        raise MalformedResponse(f"{source}: status {local_id} has no account object")
    created = parse_iso8601_utc(
        status.get("created_at"), source=source, what=f"created_at of status {local_id}"
    )
    uri = _str(status.get("uri"))
    post_id = uri if uri and len(uri) <= 255 else local_id
    url = _str(status.get("url")) or uri or ""
    language = _str(status.get("language"))
    # Parents are given by instance-local id; they are named by their uri (our post_id) when
    # that is known from the same response, else left unset rather than mixing id spaces.
    reply_to = _str(status.get("in_reply_to_id"))
    parent = (uris or {}).get(reply_to) if reply_to else None
    return Post(
        platform=PLATFORM,
        post_id=post_id,
        url=url,
        author_handle=full_acct(account),
        author_id=_str(account.get("uri")) or _str(account.get("url")) or _str(account.get("id")),
        created_at=created,
        text=status_text(status),
        raw=item_raw(item),
        language=language.lower() if language else None,
        thread_id=thread_id,
        parent_id=parent,
        response=response,
        response_url=response_url,
    )
