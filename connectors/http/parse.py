"""Parsers every connector needs: Link headers, HTTP and ISO-8601 dates, ``Retry-After``, epoch
times, the raw bytes of an item (and of one that could not be read), and ordering of platform
ids."""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from connectors.base import MalformedResponse, Unreadable

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)


def parse_link_header(value: str | None) -> dict[str, str]:
    """RFC 8288 ``Link`` header → ``{rel: url}`` (first URL wins for a repeated rel)."""
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _LINK.finditer(value):
        url, params = match.group(1).strip(), match.group(2)
        rel = _REL.search(params)
        if not rel:
            continue
        for name in (rel.group(1) or rel.group(2) or "").split():
            links.setdefault(name.lower(), url)
    return links


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date (RFC 9110 IMF-fixdate and the obsolete forms) as aware UTC, or None."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def parse_iso8601_utc(value: object, *, source: str = "", what: str = "timestamp") -> datetime:
    """An ISO-8601 time with an offset (or ``Z``) as aware UTC; anything else is malformed.

    A time without an offset is refused rather than guessed: evidence timestamps must not shift.
    """
    where = f"{source}: " if source else ""
    if not isinstance(value, str) or not value.strip():
        raise MalformedResponse(f"{where}{what} is missing or not a string: {value!r:.60}")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as err:
        raise MalformedResponse(f"{where}{what} is not ISO-8601: {value!r:.60}") from err
    if when.tzinfo is None:
        raise MalformedResponse(f"{where}{what} has no timezone: {value!r:.60}")
    return when.astimezone(UTC)


def epoch_utc(value: object, *, source: str = "", what: str = "timestamp") -> datetime:
    """Seconds since 1970 (int, float or numeric string) as aware UTC."""
    where = f"{source}: " if source else ""
    if isinstance(value, bool):
        raise MalformedResponse(f"{where}{what} is not a number: {value!r}")
    try:
        return datetime.fromtimestamp(float(value), tz=UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError) as err:
        raise MalformedResponse(f"{where}{what} is not epoch seconds: {value!r:.60}") from err


def item_raw(item: Any) -> bytes:
    """The JSON item re-serialised deterministically (sorted keys, UTF-8) for ``Post.raw``.

    The platform's bytes for one item inside a page cannot be cut out reliably, so the item is
    re-serialised; ``Post.response`` keeps the page exactly as received.
    """
    return json.dumps(item, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def json_unreadable(
    item: Any, err: Exception, *, key: object = None, response_url: str | None = None
) -> Unreadable:
    """A JSON item that could not be read, kept as ``item_raw`` bytes (what ``reparse`` reads)."""
    ident = None if key is None or isinstance(key, bool) else str(key)
    return Unreadable(item_raw(item), str(err)[:500], ident or None, response_url=response_url)


def load_item(raw: bytes, *, source: str) -> Any:
    """The JSON item kept by ``json_unreadable``, for a connector's ``reparse``."""
    try:
        return json.loads(raw)
    except ValueError as err:
        raise MalformedResponse(f"{source}: kept item is not JSON: {err}") from err


def _id_key(value: str) -> tuple[int, int, str]:
    text = value.strip()
    if text.isdigit() and text.isascii():
        return (1, len(text.lstrip("0")), text.lstrip("0"))
    return (0, 0, text)


def is_newer(a: str | int | None, b: str | int | None) -> bool:
    """Whether id ``a`` sorts after id ``b`` (snowflake / numeric ids compared as numbers).

    ``None`` is older than everything. Non-numeric ids fall back to string order, which is what
    time-sortable ids (Bluesky TIDs, ULIDs) need.
    """
    if a is None:
        return False
    if b is None:
        return True
    ka, kb = _id_key(str(a)), _id_key(str(b))
    if ka[0] != kb[0]:
        return ka[0] > kb[0]
    return ka > kb


def max_id(a: str | None, b: str | None) -> str | None:
    """The newer of two ids (either may be None)."""
    return a if is_newer(a, b) else b


def parse_retry_after(value: str | None, *, clock: Callable[[], float] = time.time) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date. None when unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    when = parse_http_date(value)
    if when is None:
        return None
    return max(0.0, when.timestamp() - clock())
