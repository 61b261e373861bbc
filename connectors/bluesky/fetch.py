"""One Bluesky post by its URL (``bsky.app/profile/HANDLE/post/RKEY``), for
``connectors.resolve``, read from the public AppView."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote

from connectors.base import MalformedResponse, Target
from connectors.bluesky.parse import parse_post
from connectors.http.oneshot import Call
from connectors.post import Post

HOSTS = frozenset({"bsky.app", "www.bsky.app"})
APPVIEW = "https://public.api.bsky.app"
_PATH = re.compile(r"^/profile/([A-Za-z0-9._:%-]{3,253})/post/([a-z0-9]{1,64})/?$")


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    m = _PATH.match(parts.path)
    return (m.group(1), m.group(2)) if m else None


async def fetch_post(call: Call, t: Target) -> Post | None:
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
    return parse_post(posts[0], source=call.label, response=resp.body, response_url=resp.url)
