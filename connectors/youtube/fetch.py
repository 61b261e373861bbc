"""One YouTube comment by its link (``watch?v=VID&lc=COMMENT``, also ``youtu.be`` and
``/shorts/``), for ``connectors.resolve``. Only with an API key (handed in on the ``Call``)."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qs

from connectors.base import AuthFailed, MalformedResponse, Target
from connectors.http.oneshot import Call
from connectors.post import Post
from connectors.youtube.parse import comment_post

HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com", "youtu.be"})
API = "https://www.googleapis.com/youtube/v3"
_VIDEO = re.compile(r"^[A-Za-z0-9_-]{11}$")
_COMMENT = re.compile(r"^[A-Za-z0-9_.-]{10,120}$")


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    args = parse_qs(parts.query)
    path = parts.path
    video = path.strip("/") if host == "youtu.be" else (args.get("v") or [""])[0]
    if host != "youtu.be" and path.startswith("/shorts/"):
        video = path.removeprefix("/shorts/").strip("/")
    comment = (args.get("lc") or [""])[0]
    if _VIDEO.match(video) and _COMMENT.match(comment):
        return (video, comment)
    return "only YouTube comment links (with v= and lc=) are fetched"


async def fetch_post(call: Call, t: Target) -> Post | None:
    video, comment = t.ids
    key = call.credentials.get("api_key", "")
    if not key:
        raise AuthFailed(f"{call.label}: no YouTube API key configured ([connectors.youtube])")
    resp, data = await call.json(
        f"{API}/comments", params={"part": "snippet", "id": comment, "textFormat": "html"},
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
