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
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp

from connectors.base import ConnectorBase, Page, PermanentError, SourceSpec, Unreadable
from connectors.http.client import Response, request
from connectors.http.walk import Walk
from connectors.post import Post
from connectors.telegram.parse import CHANNEL, ChannelPage, Message, parse_fragment, parse_page

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

    async def _fetch_whole(
        self, session: aiohttp.ClientSession, url: str, channel: str, before: int | None,
        label: str,
    ) -> tuple[ChannelPage, Response, str | None]:
        """A page, refetched while it looks cut short; the last problem if it still does.

        Ids missing inside the range a page should cover are usually deleted messages (so a
        whole page that shows the same ids again is accepted), but a page that broke off, or
        whose text names a message the parser could not find, has lost messages: Telegram lists
        oldest first, so a page that breaks off loses its newest."""
        page, response = await self._fetch(session, url, channel, before, label)
        problem = _problem(page, channel, before)
        for _ in range(REFETCHES):
            if problem is None and not _missing(page, before):
                return page, response, None
            log.info("%s: page before=%s looks incomplete (%s); fetching it again", label,
                     before, problem or f"ids {_span(_missing(page, before))} missing")
            again, again_response = await self._fetch(session, url, channel, before, label)
            again_problem = _problem(again, channel, before)
            if again_problem is None and _missing(again, before) == _missing(page, before):
                return again, again_response, None  # the same gap twice: deleted messages
            page, response, problem = again, again_response, again_problem
        return page, response, problem

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
            page, response, problem = await self._fetch_whole(session, url, channel, before,
                                                              label)
            newest_first = sorted(page.messages, key=lambda m: m.message_id, reverse=True)
            oldest = newest_first[-1].message_id if newest_first else None
            next_pos = page.before if page.before is not None else oldest
            if oldest is None or oldest <= 1 or next_pos is None or (
                before is not None and next_pos >= before
            ):
                next_pos = None  # the channel's first message, or no progress: the walk ends
            advanced, keep = walk.advance(
                [str(m.message_id) for m in newest_first],
                None if next_pos is None else str(next_pos),
                backfill_limit=backfill_limit,
            )
            posts: list[Post] = []
            for message, wanted in zip(newest_first, keep, strict=True):
                if wanted:
                    posts.append(to_post(message, response))
            unreadable = tuple(replace(u, response_url=response.url) for u in page.unreadable)
            if problem is not None:
                # Never past a gap: what was read is stored, the cursor stays where it was, so
                # the next sweep reads this page again from the same place.
                note = (f"Telegram page {response.url} still incomplete after "
                        f"{REFETCHES + 1} fetches ({problem}); the cursor was not moved past it")
                log.warning("%s: %s", label, note)
                yield Page(tuple(posts), walk.dump(), unreadable, (note,))
                return
            walk = advanced
            yield Page(tuple(posts), walk.dump(), unreadable)
            if walk.page is None:
                return

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        label = source.label()
        message = parse_fragment(item.raw.decode("utf-8", "replace"), source=label)
        response = Response(200, {}, b"", item.response_url or "", source=label)
        return (replace(to_post(message, response), response=None,
                        response_url=item.response_url),)


REFETCHES = 2  # a page that looks cut short is fetched up to this many more times


def _top(page: ChannelPage, before: int | None) -> int | None:
    ids = page.covered()
    if before is not None:
        return before - 1
    return max(ids) if ids else None


def _missing(page: ChannelPage, before: int | None) -> frozenset[int]:
    """Ids between the page's oldest message and its top (``before - 1``) it does not show."""
    ids = page.covered()
    top = _top(page, before)
    if not ids or top is None:
        return frozenset()
    return frozenset(range(min(ids), top + 1)) - ids


def _problem(page: ChannelPage, channel: str, before: int | None) -> str | None:
    """Why the page has certainly lost messages, or None."""
    if not page.whole:
        return "the document broke off before </html>"
    named = {i for i in _missing(page, before) if f"{channel.lower()}/{i}" in page.mentioned}
    if named:
        return f"messages {_span(named)} are in the page but could not be parsed"
    return None


def _span(ids: frozenset[int] | set[int]) -> str:
    ordered = sorted(ids)
    if not ordered:
        return ""
    return str(ordered[0]) if len(ordered) == 1 else f"{ordered[0]}-{ordered[-1]}"
