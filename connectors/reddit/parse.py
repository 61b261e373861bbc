"""Reddit ``Listing`` children (``t3`` submissions, ``t1`` comments) → ``Post``.

``post_id`` is the fullname (``t3_abc`` / ``t1_def``), unique across Reddit; the permalink is
``https://www.reddit.com`` + the item's own ``permalink`` (built from ``link_id`` and ``id`` for
older comment listings that carry none); ``author_id`` the author's ``t2_``
fullname. A comment's ``thread_id`` is its submission, ``parent_id`` the comment or submission it
answers. Bodies are requested with ``raw_json=1`` so text arrives unescaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.base import MalformedResponse
from connectors.http.parse import epoch_utc, item_raw
from connectors.post import Post
from connectors.text import clean_text, html_to_text

PLATFORM = "reddit"
SITE = "https://www.reddit.com"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def id_key(item: Any) -> str | None:
    """The base-36 id as a decimal string, so ``is_newer`` compares ids as numbers."""
    if not isinstance(item, Mapping):
        return None
    data = item.get("data")
    ident = data.get("id") if isinstance(data, Mapping) else None
    if not isinstance(ident, str) or not ident or any(c not in _B36 for c in ident.lower()):
        return None
    return str(int(ident.lower(), 36))


def _text(kind: str, data: Mapping[str, Any]) -> str:
    if kind == "t1":
        body = data.get("body")
        if isinstance(body, str):
            return clean_text(body)
        html = data.get("body_html")
        return html_to_text(html) if isinstance(html, str) else ""
    parts = [clean_text(data["title"]) if isinstance(data.get("title"), str) else ""]
    selftext = data.get("selftext")
    if isinstance(selftext, str) and selftext.strip():
        parts.append(clean_text(selftext))
    link = _str(data.get("url_overridden_by_dest")) or (
        None if data.get("is_self") else _str(data.get("url"))
    )
    if link:
        parts.append(f"[link: {link}]")
    # Cleaned again as a whole so that the parts together stay within the length bound.
    return clean_text("\n\n".join(p for p in parts if p))


def _built_permalink(kind: str, data: Mapping[str, Any], ident: str | None) -> str | None:
    """The permalink of an item from its ids, for listings that omit ``permalink`` (comment
    listings before 2017 did). ``/comments/<link>/_/<comment>/`` is Reddit's own short form: the
    slug is cosmetic and Reddit redirects any value, ``_`` included."""
    link = _str(data.get("link_id"))
    sub = _str(data.get("subreddit"))
    if kind != "t1" or not ident or not link or not link.startswith("t3_"):
        return None
    where = f"/r/{sub}" if sub else ""
    return f"{where}/comments/{link[3:]}/_/{ident}/"


def parse_thing(
    item: Any,
    *,
    source: str,
    response: bytes | None = None,
    response_url: str | None = None,
) -> Post:
    if not isinstance(item, Mapping):
        raise MalformedResponse(f"{source}: listing child is not a JSON object")
    kind = item.get("kind")
    data = item.get("data")
    if kind not in ("t1", "t3") or not isinstance(data, Mapping):
        raise MalformedResponse(f"{source}: listing child of kind {kind!r} is not a post/comment")
    ident = _str(data.get("id"))
    name = _str(data.get("name")) or (f"{kind}_{ident}" if ident else None)
    if not name:
        raise MalformedResponse(f"{source}: {kind} without id")
    permalink = _str(data.get("permalink")) or _built_permalink(kind, data, ident)
    if not permalink:
        raise MalformedResponse(f"{source}: {name} has no permalink")
    created = epoch_utc(data.get("created_utc"), source=source, what=f"created_utc of {name}")
    author = _str(data.get("author")) or "[unknown]"
    thread = name if kind == "t3" else _str(data.get("link_id"))
    return Post(
        platform=PLATFORM,
        post_id=name,
        url=permalink if permalink.startswith("http") else SITE + permalink,
        author_handle=author,
        author_id=_str(data.get("author_fullname")),
        created_at=created,
        text=_text(kind, data),
        raw=item_raw(item),
        language=None,  # Reddit gives no language; the classifier's detector decides
        thread_id=thread,
        parent_id=_str(data.get("parent_id")) if kind == "t1" else None,
        response=response,
        response_url=response_url,
    )
