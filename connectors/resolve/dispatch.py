"""Fetch the one post a reported URL points at, through the platform's public API (issue 8).

``fetch_post_by_url`` recognises post URLs of the supported platforms, fetches that post and
returns the ``Post`` the platform's own parser builds (raw item as received, canonical permalink,
author), or None: when the URL is not a recognised post URL, when its host may not be contacted
(``connectors.resolve.hosts``), when the post is deleted, private or missing, or when anything
goes wrong. Errors never propagate: the moderator's pasted copy then stands, and the reason is
logged here.

Recognised: Mastodon ``/@user/ID`` and ``/users/user/statuses/ID``, Lemmy ``/post/ID`` and
``/comment/ID``, Discourse ``/t/slug/TOPIC[/N]`` (these three only on allowed hosts); Bluesky
``bsky.app/profile/HANDLE/post/RKEY``; Reddit ``/r/SUB/comments/ID[/slug[/COMMENT]]`` and
``redd.it/ID`` (only with Reddit credentials configured: no scraping); Telegram ``t.me/CHANNEL/ID``;
YouTube comment links ``watch?v=VID&lc=COMMENT`` (only with an API key configured).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from collections.abc import Set as AbstractSet
from urllib.parse import parse_qs

import aiohttp

from connectors.base import ConnectorError
from connectors.http.client import redact_url
from connectors.post import Post
from connectors.resolve.hosts import (
    BLUESKY_HOSTS,
    REDDIT_HOSTS,
    TELEGRAM_HOSTS,
    WELL_KNOWN,
    YOUTUBE_HOSTS,
    Resolver,
    check_url,
    resolves_public,
    system_resolve,
)
from connectors.resolve.platforms import FETCHERS, Call, Target
from monitor.config import Settings

log = logging.getLogger(__name__)

# The whole fetch (Bluesky and Reddit take two requests) ends before the intake's own 20 s
# limit, so the reason logged is ours, not a bare timeout.
TOTAL_TIMEOUT_S = 15.0

_MASTODON = (re.compile(r"^/@([^/@]+(?:@[^/]+)?)/(\d{1,20})/?$"),
             re.compile(r"^/users/([^/]+)/statuses/(\d{1,20})/?$"))
_LEMMY = re.compile(r"^/(post|comment)/(\d{1,12})/?$")
_DISCOURSE = re.compile(r"^/t/(?:([^/]+)/)?(\d{1,12})(?:/(\d{1,7}))?/?$")
_BLUESKY = re.compile(r"^/profile/([A-Za-z0-9._:%-]{3,253})/post/([a-z0-9]{1,64})/?$")
_REDDIT = re.compile(
    r"^/(?:r/[A-Za-z0-9_]{2,21}/)?comments/([a-z0-9]{1,12})(?:/[^/]*(?:/([a-z0-9]{1,12}))?)?/?$"
)
_REDDIT_SHORT = re.compile(r"^/([a-z0-9]{1,12})/?$")
_TELEGRAM = re.compile(r"^/(?:s/)?([A-Za-z][A-Za-z0-9_]{3,31})/(\d{1,12})/?$")
_VIDEO = re.compile(r"^[A-Za-z0-9_-]{11}$")
_COMMENT = re.compile(r"^[A-Za-z0-9_.-]{10,120}$")


def recognise(url: str, allowed_hosts: AbstractSet[str]) -> Target | str:
    """The post a URL names, or why it names none we may fetch."""
    checked = check_url(url, allowed_hosts)
    if isinstance(checked, str):
        return checked
    parts, host = checked
    path = parts.path
    if host in BLUESKY_HOSTS and (m := _BLUESKY.match(path)):
        return Target("bluesky", host, (m.group(1), m.group(2)))
    if host in REDDIT_HOSTS:
        m = _REDDIT_SHORT.match(path) if host == "redd.it" else _REDDIT.match(path)
        if m:
            comment = m.group(2) if host != "redd.it" else None
            return Target("reddit", host, (f"t1_{comment}",) if comment else (f"t3_{m.group(1)}",))
    if host in TELEGRAM_HOSTS and (m := _TELEGRAM.match(path)):
        return Target("telegram", host, (m.group(1), m.group(2)))
    if host in YOUTUBE_HOSTS:
        return _youtube(host, path, parts.query)
    if host not in WELL_KNOWN:
        for pattern in _MASTODON:
            if m := pattern.match(path):
                return Target("mastodon", host, (m.group(2),))
        if m := _LEMMY.match(path):
            return Target("lemmy", host, (m.group(1), m.group(2)))
        if m := _DISCOURSE.match(path):
            return _discourse(host, m)
    return f"{redact_url(url)} is not a post URL of a supported platform"


def _youtube(host: str, path: str, query: str) -> Target | str:
    args = parse_qs(query)
    video = path.strip("/") if host == "youtu.be" else (args.get("v") or [""])[0]
    if host != "youtu.be" and path.startswith("/shorts/"):
        video = path.removeprefix("/shorts/").strip("/")
    comment = (args.get("lc") or [""])[0]
    if _VIDEO.match(video) and _COMMENT.match(comment):
        return Target("youtube", host, (video, comment))
    return "only YouTube comment links (with v= and lc=) are fetched"


def _discourse(host: str, m: re.Match[str]) -> Target:
    slug, topic, number = m.group(1), m.group(2), m.group(3)
    # "/t/123/4" is topic 123, post 4; "/t/slug/123" is post 1 of topic 123.
    if slug is not None and slug.isdigit() and number is None:
        slug, topic, number = None, slug, topic
    return Target("discourse", host, (topic, number or "1"))


async def fetch_post_by_url(
    session: aiohttp.ClientSession,
    url: str,
    *,
    settings: Settings,
    allowed_hosts: AbstractSet[str],
    api_base: str | None = None,
    resolve: Resolver = system_resolve,
) -> Post | None:
    """The canonical capture of the post at ``url``, or None (the reason is logged).

    ``api_base`` (tests only) sends every API request to that origin instead of the platform's;
    the URL itself is still checked against the production host rules.
    """
    target = recognise(url, allowed_hosts)
    shown = redact_url(url)
    if isinstance(target, str):
        log.info("resolve: not fetching %s: %s", shown, target)
        return None
    fetcher: Callable[[Call, Target], Awaitable[Post | None]] = FETCHERS[target.platform]
    call = Call(session=session, settings=settings, api_base=api_base,
                label=f"intake:{target.platform}")
    try:
        async with asyncio.timeout(TOTAL_TIMEOUT_S):
            if api_base is None and target.host not in WELL_KNOWN:
                problem = await resolves_public(target.host, resolve)
                if problem is not None:
                    log.warning("resolve: not fetching %s: %s", shown, problem)
                    return None
            post = await fetcher(call, target)
    except TimeoutError:
        log.info("resolve: %s post %s not fetched: no answer within %.0f s", target.platform,
                 shown, TOTAL_TIMEOUT_S)
        return None
    except ConnectorError as err:
        log.info("resolve: %s post %s not fetched: %s", target.platform, shown, err)
        return None
    except (ValueError, TypeError, KeyError, UnicodeError) as err:
        # A parser choking on a hostile body must not fail the report.
        log.warning("resolve: %s post %s: unreadable answer (%s: %s)", target.platform, shown,
                    type(err).__name__, err)
        return None
    if post is None:
        log.info("resolve: %s post %s not found (deleted or private)", target.platform, shown)
    return post
