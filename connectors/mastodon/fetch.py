"""One Mastodon status by its URL (``/@user/ID`` or ``/users/user/statuses/ID``), for
``connectors.resolve``. Mastodon is self-hosted: only hosts the operator trusts are asked."""

from __future__ import annotations

import re
from urllib.parse import SplitResult

from connectors.base import Target
from connectors.http.oneshot import Call
from connectors.mastodon.parse import parse_status
from connectors.post import Post

HOSTS: frozenset[str] = frozenset()  # any trusted instance
_PATHS = (re.compile(r"^/@([^/@]+(?:@[^/]+)?)/(\d{1,20})/?$"),
          re.compile(r"^/users/([^/]+)/statuses/(\d{1,20})/?$"))


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    for pattern in _PATHS:
        if m := pattern.match(parts.path):
            return (m.group(2),)
    return None


async def fetch_post(call: Call, t: Target) -> Post | None:
    resp, data = await call.json(f"https://{t.host}/api/v1/statuses/{t.ids[0]}")
    return parse_status(data, source=call.label, response=resp.body, response_url=resp.url)
