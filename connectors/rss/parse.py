"""RSS/Atom feed bytes → entries → ``Post``, with feedparser.

The body is handed to feedparser as a stream (``io.BytesIO``), never as ``bytes``/``str``:
given a bytes or str value feedparser first tries to *open it as a local file name* (and a str
that looks like a URL is fetched), so a hostile server answering ``/etc/passwd`` would make us
read a local file. As a stream it is only ever parsed.

A recoverable "bozo" feed (a small XML error, an undeclared namespace, a truncated tail) is kept
with a warning, and ``Feed.whole`` says whether the document was read to its end: a feed that was
not must not be taken as seen (the connector keeps neither its validator nor a new floor). Only a
wrong encoding declaration leaves a feed whole. A body that yields no entries and is not a
well-formed feed, or an HTML page instead of a feed, is ``MalformedResponse``.
"""

from __future__ import annotations

import calendar
import io
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from connectors.base import MalformedResponse
from connectors.rss.dates import parse_localised_date
from connectors.text import clean_text, html_to_text

log = logging.getLogger(__name__)

_HTML_START = (b"<!doctype html", b"<html")


@dataclass(frozen=True, slots=True)
class Feed:
    entries: tuple[Mapping[str, Any], ...]
    feed: Mapping[str, Any]
    version: str
    bozo_reason: str  # "" for a well-formed feed
    whole: bool = True  # False: the document broke off (or broke) before its end


# feedparser's complaints about the declared encoding: the document itself was read whole.
_WHOLE_DESPITE = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def _looks_like_html(body: bytes, content_type: str) -> bool:
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_START):
        return True
    return "html" in content_type.lower() and not head.startswith(b"<?xml")


def parse_feed(body: bytes, *, url: str, content_type: str, source: str) -> Feed:
    """Parse feed bytes; MalformedResponse (naming ``url`` and why) when nothing usable came."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    entries = tuple(parsed.get("entries") or ())
    version = str(parsed.get("version") or "")
    bozo = str(parsed.get("bozo_exception") or "") if parsed.get("bozo") else ""
    whole = not bozo or isinstance(parsed.get("bozo_exception"), _WHOLE_DESPITE)
    if not entries and (not version or bozo):
        if _looks_like_html(body, content_type):
            why = "it is an HTML page, not an RSS/Atom feed (check the feed URL)"
        elif not body.strip():
            why = "the body is empty"
        else:
            why = f"it is not a readable RSS/Atom feed ({bozo or 'unknown format'})"
        raise MalformedResponse(f"{source}: {url}: {why}; {len(body)} bytes")
    if not whole:
        log.warning("%s: feed %s is not well-formed (%s); keeping the %d entries read",
                    source, url, bozo, len(entries))
    return Feed(entries, parsed.get("feed") or {}, version, bozo, whole)


def entry_raw(entry: Mapping[str, Any]) -> bytes:
    """The entry's fields, serialised deterministically (feedparser's dates become lists)."""
    return json.dumps(entry, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def entry_time(entry: Mapping[str, Any]) -> datetime | None:
    """When the entry was published, or None when the feed's date cannot be read."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            # feedparser normalises every date to UTC as a struct_time.
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    # feedparser reads English names only; a localised date comes back unparsed.
    for key in ("published", "updated", "created"):
        text = entry.get(key)
        if isinstance(text, str) and (when := parse_localised_date(text)) is not None:
            return when
    return None


def _detail_text(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str):
        return ""
    detail = entry.get(f"{key}_detail")
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    return clean_text(value) if kind == "text/plain" else html_to_text(value)


def entry_text(entry: Mapping[str, Any]) -> str:
    """Title and body as the reader sees them (the full ``content`` when the feed has it)."""
    title = _detail_text(entry, "title")
    body = ""
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], Mapping):
        first = content[0]
        value = first.get("value")
        if isinstance(value, str):
            body = clean_text(value) if first.get("type") == "text/plain" else html_to_text(value)
    if not body:
        body = _detail_text(entry, "summary")
    if title and body.startswith(title):
        return body
    return clean_text(f"{title}\n\n{body}" if title and body else title or body)


def entry_language(entry: Mapping[str, Any], feed: Mapping[str, Any]) -> str | None:
    content = entry.get("content")
    details = [*(content if isinstance(content, list) else []),
               entry.get("summary_detail"), entry.get("title_detail")]
    for detail in details:
        value = detail.get("language") if isinstance(detail, Mapping) else None
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    value = feed.get("language")
    return (value.strip().lower() or None) if isinstance(value, str) else None


def entry_author(entry: Mapping[str, Any]) -> tuple[str, str | None]:
    """(name as shown, a stable id: the author's URI when the feed gives one)."""
    name = entry.get("author")
    detail = entry.get("author_detail")
    href = detail.get("href") if isinstance(detail, Mapping) else None
    return (clean_text(name, max_len=200) if isinstance(name, str) else ""), (
        href if isinstance(href, str) and href else None)
