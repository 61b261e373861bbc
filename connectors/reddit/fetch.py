"""One Reddit submission or comment by its URL (``/r/SUB/comments/ID[/slug[/COMMENT]]`` or
``redd.it/ID``), for ``connectors.resolve``. Only through an approved app's credentials (handed in
on the ``Call``): Reddit is never scraped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import SplitResult

from connectors.base import AuthFailed, MalformedResponse, Target
from connectors.http.client import Response
from connectors.http.oneshot import Call, fetch
from connectors.post import Post
from connectors.reddit import auth
from connectors.reddit.parse import parse_thing

HOSTS = frozenset({
    "reddit.com", "www.reddit.com", "old.reddit.com", "np.reddit.com", "new.reddit.com",
    "m.reddit.com", "redd.it",
})
API = "https://oauth.reddit.com"
_PATH = re.compile(
    r"^/(?:r/[A-Za-z0-9_]{2,21}/)?comments/([a-z0-9]{1,12})(?:/[^/]*(?:/([a-z0-9]{1,12}))?)?/?$"
)
_SHORT = re.compile(r"^/([a-z0-9]{1,12})/?$")


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    m = _SHORT.match(parts.path) if host == "redd.it" else _PATH.match(parts.path)
    if not m:
        return None
    comment = m.group(2) if host != "redd.it" else None
    return (f"t1_{comment}",) if comment else (f"t3_{m.group(1)}",)


async def fetch_post(call: Call, t: Target) -> Post | None:
    client_id = call.credentials.get("client_id", "")
    secret = call.credentials.get("client_secret", "")
    if not client_id or not secret:
        # Reddit is read only through an approved app: never scraped without one.
        raise AuthFailed(f"{call.label}: no Reddit credentials configured ([connectors.reddit])")
    agent = call.credentials.get("user_agent") or call.user_agent

    async def send(url: str, **kw: Any) -> Response:
        return await fetch(call.session, "POST", url, label=call.label, **kw)

    token = await auth.app_token(send, call.url(auth.AUTH_ENDPOINT), client_id, secret,
                                 user_agent=agent, label=call.label)
    resp, data = await call.json(
        f"{API}/api/info", params={"id": t.ids[0], "raw_json": "1"},
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
    return parse_thing(item, source=call.label, response=resp.body, response_url=resp.url)
