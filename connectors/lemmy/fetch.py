"""One Lemmy post or comment by its URL (``/post/ID``, ``/comment/ID``), for
``connectors.resolve``. Lemmy is self-hosted: only hosts the operator trusts are asked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import SplitResult

from connectors.base import MalformedResponse, Target
from connectors.http.oneshot import Call, with_response
from connectors.lemmy.parse import parse_comment, parse_post
from connectors.post import Post

HOSTS: frozenset[str] = frozenset()  # any trusted instance
_PATH = re.compile(r"^/(post|comment)/(\d{1,12})/?$")


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    m = _PATH.match(parts.path)
    return (m.group(1), m.group(2)) if m else None


async def fetch_post(call: Call, t: Target) -> Post | None:
    kind, ident = t.ids
    resp, data = await call.json(f"https://{t.host}/api/v3/{kind}", params={"id": ident})
    view = data.get(f"{kind}_view")
    if not isinstance(view, Mapping):
        raise MalformedResponse(f"{call.label}: /api/v3/{kind} answered without {kind}_view")
    own = view.get(kind)
    if isinstance(own, Mapping) and (own.get("deleted") or own.get("removed")):
        return None
    if kind == "post":
        post = parse_post(view, host=t.host, languages={}, source=call.label)[2]
    else:
        post = parse_comment(view, host=t.host, languages={}, source=call.label)[1]
    # Lemmy's parser builds no response fields; the evidence keeps the whole answer anyway.
    return with_response(post, resp)
