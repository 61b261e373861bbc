"""Lemmy API v3 JSON (``PostView`` / ``CommentView``) → ``Post``.

Lemmy ids are local to the instance that serves them, so ``post_id`` is
``<instance host>/post/<id>`` or ``<instance host>/comment/<id>`` (host of the configured
``base_url``) and parent/thread ids are built the same way; the permalink is the item's
``ap_id``, its canonical ActivityPub URL on the instance where it was written.
Bodies are Markdown and are kept as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from connectors.base import MalformedResponse
from connectors.http.parse import item_raw
from connectors.post import Post
from connectors.text import clean_text


def lemmy_time(value: object, *, source: str, what: str) -> datetime:
    """Lemmy times: 0.19+ send an offset (``Z``); 0.18 and older send naive times that the server
    wrote in UTC (chrono ``NaiveDateTime`` from PostgreSQL ``timestamp``), so naive means UTC."""
    if not isinstance(value, str) or not value.strip():
        raise MalformedResponse(f"{source}: {what} is missing or not a string: {value!r:.60}")
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as err:
        raise MalformedResponse(f"{source}: {what} is not ISO-8601: {value!r:.60}") from err
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def time_key(when: datetime, local_id: int) -> str:
    """A walk key that sorts in Lemmy's ``New`` order (time, then id for equal times)."""
    return f"{when.strftime('%Y-%m-%dT%H:%M:%S.%f')}|{local_id:015d}"


def _obj(item: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = item.get(key)
    if not isinstance(value, Mapping):
        raise MalformedResponse(f"{source}: item has no {key!r} object")
    return value


def _int(obj: Mapping[str, Any], key: str, source: str) -> int:
    value = obj.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedResponse(f"{source}: {key!r} is not an integer: {value!r:.40}")
    return value


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def author_handle(creator: Mapping[str, Any], source: str) -> tuple[str, str | None]:
    name = _str(creator, "name")
    if not name:
        raise MalformedResponse(f"{source}: creator has no name")
    actor = _str(creator, "actor_id")
    host = urlsplit(actor).netloc if actor else ""
    return (f"{name}@{host}" if host else name), (actor or None)


def item_id(item: Any, kind: str) -> str:
    """A best-effort id for a warning about a malformed item."""
    if isinstance(item, Mapping) and isinstance(item.get(kind), Mapping):
        return f"{kind} {item[kind].get('id')!r:.30}"
    return f"{kind} (no id)"


def _language(obj: Mapping[str, Any], languages: Mapping[int, str]) -> str | None:
    lid = obj.get("language_id")
    code = languages.get(lid) if isinstance(lid, int) else None
    return None if code in (None, "", "und") else code


def parse_post(
    item: Any, *, host: str, languages: Mapping[int, str], source: str
) -> tuple[str, bool, Post]:
    """A ``PostView`` → (walk key, pinned?, Post)."""
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"{source}: post item is not an object")
    post, creator = _obj(item, "post", source), _obj(item, "creator", source)
    local_id = _int(post, "id", source)
    when = lemmy_time(post.get("published"), source=source, what=f"published of post {local_id}")
    handle, author_id = author_handle(creator, source)
    pid = f"{host}/post/{local_id}"
    title, body = _str(post, "name"), _str(post, "body")
    pinned = bool(post.get("featured_community") or post.get("featured_local"))
    return time_key(when, local_id), pinned, Post(
        platform="lemmy",
        post_id=pid,
        url=_str(post, "ap_id") or f"https://{host}/post/{local_id}",
        author_handle=handle,
        author_id=author_id,
        created_at=when,
        text=clean_text(f"{title}\n\n{body}" if body else title),
        raw=item_raw(item),
        language=_language(post, languages),
        thread_id=pid,
    )


def parse_comment(
    item: Any, *, host: str, languages: Mapping[int, str], source: str
) -> tuple[str, Post]:
    """A ``CommentView`` → (walk key, Post). ``path`` is ``0.<root>.<...>.<self>``."""
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"{source}: comment item is not an object")
    comment, creator = _obj(item, "comment", source), _obj(item, "creator", source)
    local_id = _int(comment, "id", source)
    post_local = _int(comment, "post_id", source)
    when = lemmy_time(comment.get("published"), source=source,
                      what=f"published of comment {local_id}")
    handle, author_id = author_handle(creator, source)
    thread = f"{host}/post/{post_local}"
    path = [p for p in _str(comment, "path").split(".") if p.isdigit() and p != "0"]
    parent = f"{host}/comment/{path[-2]}" if len(path) >= 2 else thread
    return time_key(when, local_id), Post(
        platform="lemmy",
        post_id=f"{host}/comment/{local_id}",
        url=_str(comment, "ap_id") or f"https://{host}/comment/{local_id}",
        author_handle=handle,
        author_id=author_id,
        created_at=when,
        text=clean_text(_str(comment, "content")),
        raw=item_raw(item),
        language=_language(comment, languages),
        thread_id=thread,
        parent_id=parent,
    )


def site_info(data: Any, *, source: str) -> tuple[tuple[int, ...], dict[int, str]]:
    """``/api/v3/site`` → (version as numbers, language id → code)."""
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"{source}: /api/v3/site did not answer with a JSON object")
    raw = data.get("version")
    if not isinstance(raw, str) or not raw.strip():
        raise MalformedResponse(
            f"{source}: /api/v3/site has no 'version'; is this a Lemmy instance?")
    numbers: list[int] = []
    for part in raw.strip().lstrip("v").split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        if not digits:
            break
        numbers.append(int(digits))
        if not part.isdigit():
            break  # "0-rc.1" and the like: the numbers so far are the version
    languages: dict[int, str] = {}
    for lang in data.get("all_languages") or []:
        if isinstance(lang, Mapping) and isinstance(lang.get("id"), int):
            languages[lang["id"]] = str(lang.get("code") or "")
    return tuple(numbers), languages
