"""Per-platform fetch of one post for ``connectors.resolve``, through the connectors' own parsers.

Each fetcher returns the parsed ``Post``, None when the platform answers that the post is gone
(deleted, removed, not in the page), or raises a ``ConnectorError``; ``connectors.resolve``
turns every failure into None and logs why.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp

from connectors.base import AuthFailed, MalformedResponse
from connectors.bluesky import parse as bluesky_parse
from connectors.discourse import parse as discourse_parse
from connectors.http.client import Response
from connectors.http.oneshot import fetch
from connectors.lemmy import parse as lemmy_parse
from connectors.mastodon import parse as mastodon_parse
from connectors.post import Post
from connectors.reddit import parse as reddit_parse
from connectors.telegram.connector import to_post
from connectors.telegram.parse import parse_page
from connectors.youtube.parse import comment_post
from monitor.config import Settings
from monitor.sources import credentials_for

APPVIEW = "https://public.api.bsky.app"
REDDIT_API = "https://oauth.reddit.com"
REDDIT_AUTH_ENDPOINT = "https://www.reddit.com/api/v1/access_token"
YOUTUBE_API = "https://www.googleapis.com/youtube/v3"
TELEGRAM = "https://t.me"
# Reddit application tokens per (token URL, client id), reused until a minute before expiry.
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}


@dataclass(frozen=True, slots=True)
class Target:
    """A recognised post URL: which platform, on which host, and the ids in it."""

    platform: str
    host: str
    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Call:
    session: aiohttp.ClientSession
    settings: Settings
    api_base: str | None
    label: str

    def url(self, url: str) -> str:
        """``url``, or the same path on the test server when ``api_base`` is set."""
        if self.api_base is None:
            return url
        parts = urlsplit(url)
        return self.api_base.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")

    async def get(self, url: str, **kw: Any) -> Response:
        return await fetch(self.session, "GET", self.url(url), label=self.label, **kw)

    async def json(self, url: str, **kw: Any) -> tuple[Response, Mapping[str, Any]]:
        resp = await self.get(url, **kw)
        data = resp.json()
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"{self.label}: {resp.url} answered JSON that is no object")
        return resp, data


async def mastodon(call: Call, t: Target) -> Post | None:
    resp, data = await call.json(f"https://{t.host}/api/v1/statuses/{t.ids[0]}")
    return mastodon_parse.parse_status(data, source=call.label, response=resp.body,
                                       response_url=resp.url)


async def bluesky(call: Call, t: Target) -> Post | None:
    handle, rkey = unquote(t.ids[0]), t.ids[1]
    did = handle
    if not handle.startswith("did:"):
        _, found = await call.json(f"{APPVIEW}/xrpc/com.atproto.identity.resolveHandle",
                                   params={"handle": handle})
        resolved = found.get("did")
        if not isinstance(resolved, str) or not resolved.startswith("did:"):
            raise MalformedResponse(f"{call.label}: handle {handle!r} resolved to no did")
        did = resolved
    resp, data = await call.json(f"{APPVIEW}/xrpc/app.bsky.feed.getPosts",
                                 params={"uris": f"at://{did}/app.bsky.feed.post/{rkey}"})
    posts = data.get("posts")
    if not isinstance(posts, list):
        raise MalformedResponse(f"{call.label}: getPosts answered without a posts list")
    if not posts:
        return None  # deleted: the AppView leaves it out
    return bluesky_parse.parse_post(posts[0], source=call.label, response=resp.body,
                                    response_url=resp.url)


async def _reddit_token(call: Call, client_id: str, secret: str, agent: str) -> str:
    key = (call.url(REDDIT_AUTH_ENDPOINT), client_id)
    cached = _TOKENS.get(key)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    basic = "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")
    resp = await fetch(call.session, "POST", call.url(REDDIT_AUTH_ENDPOINT), label=call.label,
                       data={"grant_type": "client_credentials"},
                       headers={"Authorization": basic, "User-Agent": agent},
                       secrets=(secret, basic))
    data = resp.json()
    token = data.get("access_token") if isinstance(data, Mapping) else None
    if not isinstance(token, str) or not token:
        raise AuthFailed(f"{call.label}: reddit issued no token")
    expires = data.get("expires_in", 3600)
    lifetime = float(expires) if isinstance(expires, int | float) else 3600.0
    _TOKENS[key] = (token, time.monotonic() + max(0.0, lifetime - 60))
    return token


async def reddit(call: Call, t: Target) -> Post | None:
    creds = credentials_for("reddit", call.settings)
    client_id, secret = creds.get("client_id", ""), creds.get("client_secret", "")
    if not client_id or not secret:
        # Reddit is read only through an approved app: never scraped without one.
        raise AuthFailed(f"{call.label}: no Reddit credentials configured ([connectors.reddit])")
    agent = creds.get("user_agent") or str(call.settings["http.user_agent"])
    token = await _reddit_token(call, client_id, secret, agent)
    resp, data = await call.json(
        f"{REDDIT_API}/api/info", params={"id": t.ids[0], "raw_json": "1"},
        headers={"Authorization": f"bearer {token}", "User-Agent": agent}, secrets=(token,),
    )
    listing = data.get("data")
    children = listing.get("children") if isinstance(listing, Mapping) else None
    if not isinstance(children, list):
        raise MalformedResponse(f"{call.label}: /api/info answered without a listing")
    if not children:
        return None
    item = children[0]
    inner = item.get("data") if isinstance(item, Mapping) else None
    if isinstance(inner, Mapping) and (
        inner.get("removed_by_category")
        or inner.get("body") in ("[removed]", "[deleted]")
        or inner.get("selftext") in ("[removed]", "[deleted]")
    ):
        return None  # a tombstone: the moderator's copy holds what was said
    return reddit_parse.parse_thing(item, source=call.label, response=resp.body,
                                    response_url=resp.url)


async def lemmy(call: Call, t: Target) -> Post | None:
    kind, ident = t.ids
    resp, data = await call.json(f"https://{t.host}/api/v3/{kind}", params={"id": ident})
    view = data.get(f"{kind}_view")
    if not isinstance(view, Mapping):
        raise MalformedResponse(f"{call.label}: /api/v3/{kind} answered without {kind}_view")
    own = view.get(kind)
    if isinstance(own, Mapping) and (own.get("deleted") or own.get("removed")):
        return None
    if kind == "post":
        post = lemmy_parse.parse_post(view, host=t.host, languages={}, source=call.label)[2]
    else:
        post = lemmy_parse.parse_comment(view, host=t.host, languages={}, source=call.label)[1]
    return _with_response(post, resp)


async def discourse(call: Call, t: Target) -> Post | None:
    topic, number = t.ids
    resp, data = await call.json(f"https://{t.host}/posts/by_number/{topic}/{number}.json")
    if data.get("deleted_at") or data.get("user_deleted") or data.get("hidden"):
        return None
    return discourse_parse.parse_post(data, base=f"https://{t.host}", source=call.label,
                                      response=resp.body, response_url=resp.url)


async def telegram(call: Call, t: Target) -> Post | None:
    channel, number = t.ids
    resp = await call.get(f"{TELEGRAM}/s/{channel}", params={"before": str(int(number) + 1)})
    page = parse_page(resp.text(), source=call.label)
    for message in page.messages:
        if message.channel.lower() == channel.lower() and message.message_id == int(number):
            return to_post(message, resp)
    return None  # deleted, or a channel without a public preview


async def youtube(call: Call, t: Target) -> Post | None:
    video, comment = t.ids
    key = credentials_for("youtube", call.settings).get("api_key", "")
    if not key:
        raise AuthFailed(f"{call.label}: no YouTube API key configured ([connectors.youtube])")
    resp, data = await call.json(
        f"{YOUTUBE_API}/comments", params={"part": "snippet", "id": comment, "textFormat": "html"},
        headers={"X-Goog-Api-Key": key, "Accept": "application/json"}, secrets=(key,),
    )
    items = data.get("items")
    if not isinstance(items, list):
        raise MalformedResponse(f"{call.label}: comments answered without items")
    if not items:
        return None
    parent = comment.split(".", 1)[0]
    return comment_post(items[0], video_id=video, channel_id=None, thread_id=parent,
                        source=call.label, response=resp)


def _with_response(post: Post, resp: Response) -> Post:
    # Lemmy's parser builds no response fields; the evidence keeps the whole answer anyway.
    return replace(post, response=resp.body, response_url=resp.url)


FETCHERS: Mapping[str, Callable[[Call, Target], Awaitable[Post | None]]] = {
    "mastodon": mastodon, "bluesky": bluesky, "reddit": reddit, "lemmy": lemmy,
    "discourse": discourse, "telegram": telegram, "youtube": youtube,
}
