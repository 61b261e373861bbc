"""Telegram public channels, read through the ``t.me/s/<channel>`` web preview (no account).

Target grammar (``SourceSpec.target``)::

    <channel>                 e.g.  bbcnews
    @<channel>                e.g.  @bbcnews
    https://t.me/<channel>    (also t.me/s/<channel>)

A channel username is 4-32 letters, digits or underscores, starting with a letter. ``base_url``
defaults to ``https://t.me``; the connector requests ``{base_url}/s/<channel>`` and pages to older
messages with ``?before=<id>``. A channel whose owner has turned the preview off (or a private
group, or no such channel) is redirected by Telegram to ``t.me/<channel>``, a page without
messages: that is a ``PermanentError`` saying so.

The preview lists newest last and pages down with ``before``; the cursor is the shared ``Walk``
(``connectors.http.walk``) keyed by message id, so a crash mid-walk resumes without loss.

Each message is one post: ``post_id`` ``<channel>/<id>``, permalink ``https://t.me/<channel>/<id>``,
author the channel (its numeric id when the page carries it), ``parent_id`` the message replied
to, ``raw`` the message's HTML fragment (``text/html``; re-serialised by the parser, while
``Post.response`` keeps the page exactly as received). An album is one post; a forwarded message's
text starts with "Forwarded from <name>"; link preview cards and polls are part of the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import aiohttp

from connectors.base import ConnectorBase, Page, PermanentError, SourceSpec
from connectors.http.client import Response, request
from connectors.http.walk import Walk
from connectors.post import Post
from connectors.telegram.parse import CHANNEL, ChannelPage, Message, parse_page

log = logging.getLogger(__name__)

DEFAULT_BASE = "https://t.me"
_URL_TARGET = re.compile(r"^(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?([^/?#]+)/?$")


def parse_target(target: str, *, source: str) -> str:
    """The channel username named by a target, or PermanentError explaining the grammar."""
    text = target.strip()
    match = _URL_TARGET.match(text)
    name = match.group(1) if match else text.removeprefix("@")
    if not CHANNEL.match(name):
        raise PermanentError(
            f"{source}: {target!r} is not a Telegram channel; use the channel's username "
            "(4-32 letters, digits or _), '@name' or 'https://t.me/name'"
        )
    return name


def to_post(message: Message, response: Response) -> Post:
    return Post(
        platform="telegram",
        post_id=message.post_ref,
        url=f"https://t.me/{message.post_ref}",
        author_handle=message.channel,
        author_id=message.channel_id,
        created_at=message.created_at,
        text=message.full_text(),
        raw=message.html.encode("utf-8"),
        raw_content_type="text/html",
        parent_id=message.reply_to,
        response=response.body,
        response_url=response.url,
    )


class TelegramConnector(ConnectorBase):
    name = "telegram"

    async def _fetch(
        self, session: aiohttp.ClientSession, url: str, channel: str, before: int | None,
        label: str,
    ) -> tuple[ChannelPage, Response]:
        response = await request(
            session, "GET", url, source=label,
            params={"before": str(before)} if before is not None else None,
            headers={"Accept": "text/html,application/xhtml+xml"},
            retry=self._retry, sleep=self._sleep,
        )
        # Telegram redirects a channel without a preview to t.me/<channel> (no "/s/").
        final_path = urlsplit(response.url).path.rstrip("/").lower()
        redirected = not final_path.endswith(f"/s/{channel.lower()}")
        page = parse_page(response.text(), source=label)
        if redirected or not page.is_preview:
            raise PermanentError(
                f"{label}: {url} has no public web preview (Telegram answered with "
                f"{response.url} and no messages); the channel may be private, have its "
                "preview turned off, or not exist"
            )
        return page, response

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        channel = parse_target(source.target, source=label)
        url = f"{(source.base_url or DEFAULT_BASE).rstrip('/')}/s/{channel}"
        walk = Walk.load(cursor, source=label)
        while True:
            before = int(walk.page) if walk.page and walk.page.isdigit() else None
            page, response = await self._fetch(session, url, channel, before, label)
            newest_first = sorted(page.messages, key=lambda m: m.message_id, reverse=True)
            oldest = newest_first[-1].message_id if newest_first else None
            next_pos = page.before if page.before is not None else oldest
            if oldest is None or oldest <= 1 or next_pos is None or (
                before is not None and next_pos >= before
            ):
                next_pos = None  # the channel's first message, or no progress: the walk ends
            walk, keep = walk.advance(
                [str(m.message_id) for m in newest_first],
                None if next_pos is None else str(next_pos),
                backfill_limit=backfill_limit,
            )
            posts: list[Post] = []
            skipped = page.skipped
            for message, wanted in zip(newest_first, keep, strict=True):
                if not wanted:
                    continue
                try:
                    posts.append(to_post(message, response))
                except ValueError as err:
                    skipped += 1
                    log.warning("%s: skipping Telegram message %s: %s", label, message.post_ref,
                                err)
            yield Page(tuple(posts), walk.dump(), skipped)
            if walk.page is None:
                return
