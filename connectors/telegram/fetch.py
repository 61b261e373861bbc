"""One Telegram channel message by its URL (``t.me/CHANNEL/ID``), for ``connectors.resolve``,
read from the channel's public web preview."""

from __future__ import annotations

import re
from urllib.parse import SplitResult

from connectors.base import Target
from connectors.http.oneshot import Call
from connectors.post import Post
from connectors.telegram.connector import to_post
from connectors.telegram.parse import parse_page

HOSTS = frozenset({"t.me", "www.t.me", "telegram.me"})
PREVIEW = "https://t.me"
_PATH = re.compile(r"^/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/(\d{1,12})/?$")


def recognise(host: str, parts: SplitResult) -> tuple[str, ...] | str | None:
    m = _PATH.match(parts.path)
    return (m.group(1), m.group(2)) if m else None


async def fetch_post(call: Call, t: Target) -> Post | None:
    channel, number = t.ids
    resp = await call.get(f"{PREVIEW}/s/{channel}", params={"before": str(int(number) + 1)})
    page = parse_page(resp.text(), source=call.label)
    for message in page.messages:
        if message.channel.lower() == channel.lower() and message.message_id == int(number):
            return to_post(message, resp)
    return None  # deleted, or a channel without a public preview
