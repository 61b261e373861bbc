"""Fetch the one post a reported URL points at, through the platform's public API.

``fetch_post_by_url`` recognises post URLs of the supported platforms, fetches that post and
returns the ``Post`` the platform's own parser builds (raw item as received, canonical permalink,
author), or None: when the URL is not a recognised post URL (each platform's ``fetch`` module
recognises its own, see ``connectors.registry.PostFetcher``), when its host may not be contacted
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
from collections.abc import Mapping
from collections.abc import Set as AbstractSet

import aiohttp

from connectors.base import ConnectorError, Target
from connectors.http.client import redact_url
from connectors.http.oneshot import Call
from connectors.post import Post
from connectors.registry import url_fetchers
from connectors.resolve.hosts import (
    WELL_KNOWN,
    Resolver,
    check_url,
    resolves_public,
    system_resolve,
)

log = logging.getLogger(__name__)

# The whole fetch (Bluesky and Reddit take two requests) ends before the intake's own 20 s
# limit, so the reason logged is ours, not a bare timeout.
TOTAL_TIMEOUT_S = 15.0
FETCHERS = url_fetchers()


def recognise(url: str, allowed_hosts: AbstractSet[str]) -> Target | str:
    """The post a URL names, or why it names none we may fetch.

    A platform's own hosts are matched by that platform alone; any other allowed host by each
    self-hosted platform (empty ``HOSTS``) in turn.
    """
    checked = check_url(url, allowed_hosts)
    if isinstance(checked, str):
        return checked
    parts, host = checked
    for platform, fetcher in FETCHERS.items():
        own_host = host in fetcher.HOSTS
        trusted_instance = not fetcher.HOSTS and host not in WELL_KNOWN
        if own_host or trusted_instance:
            found = fetcher.recognise(host, parts)
            if isinstance(found, tuple):
                return Target(platform, host, found)
            if found is not None:
                return found
    return f"{redact_url(url)} is not a post URL of a supported platform"


async def fetch_post_by_url(
    session: aiohttp.ClientSession,
    url: str,
    *,
    credentials: Mapping[str, Mapping[str, str]],
    user_agent: str,
    allowed_hosts: AbstractSet[str],
    api_base: str | None = None,
    resolve: Resolver = system_resolve,
    failures: list[BaseException] | None = None,
) -> Post | None:
    """The canonical capture of the post at ``url``, or None (the reason is logged).

    ``failures``, when given, receives the error behind a None that was a failure to fetch
    (network, timeout, refusal) rather than an answer that the post is gone, so the caller can
    tell the two apart (a moderator's bot was told "deleted or private" after a network error).

    ``credentials`` are each platform's (by connector name; Reddit and YouTube need theirs) and
    ``user_agent`` the default one: the caller reads them from its settings.

    ``api_base`` (tests only) sends every API request to that origin instead of the platform's;
    the URL itself is still checked against the production host rules.
    """
    target = recognise(url, allowed_hosts)
    shown = redact_url(url)
    if isinstance(target, str):
        log.info("resolve: not fetching %s: %s", shown, target)
        return None
    fetcher = FETCHERS[target.platform]
    call = Call(session=session, label=f"intake:{target.platform}", api_base=api_base,
                credentials=credentials.get(target.platform, {}), user_agent=user_agent)
    try:
        async with asyncio.timeout(TOTAL_TIMEOUT_S):
            if api_base is None and target.host not in WELL_KNOWN:
                problem = await resolves_public(target.host, resolve)
                if problem is not None:
                    log.warning("resolve: not fetching %s: %s", shown, problem)
                    return None
            post = await fetcher.fetch_post(call, target)
    except TimeoutError as err:
        log.info("resolve: %s post %s not fetched: no answer within %.0f s", target.platform,
                 shown, TOTAL_TIMEOUT_S)
        if failures is not None:
            failures.append(err)
        return None
    except ConnectorError as err:
        log.info("resolve: %s post %s not fetched: %s", target.platform, shown, err)
        if failures is not None:
            failures.append(err)
        return None
    except (ValueError, TypeError, KeyError, UnicodeError) as err:
        # A parser choking on a hostile body must not fail the report.
        log.warning("resolve: %s post %s: unreadable answer (%s: %s)", target.platform, shown,
                    type(err).__name__, err)
        return None
    if post is None:
        log.info("resolve: %s post %s not found (deleted or private)", target.platform, shown)
    return post
