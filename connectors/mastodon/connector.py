"""Mastodon (any instance, or any server speaking the Mastodon API).

Target grammar (``SourceSpec.target``):

- ``tag:NAME`` — the hashtag timeline of ``NAME`` (``#`` optional). Option ``local: true`` keeps
  only statuses from the instance itself.
- ``account:user@domain`` — an account's statuses, boosts included; the account is found with
  ``/api/v1/accounts/lookup`` on the configured instance.
- ``timeline:local`` / ``timeline:public`` / ``timeline:remote`` — the instance's live feeds,
  only where ``/api/v2/instance`` ``configuration.timelines_access`` allows them (many large
  instances disable them; we then raise ``PermanentError`` saying so rather than retrying).
- ``context:STATUS_ID`` — a status and its whole thread (ancestors and replies), STATUS_ID as the
  configured instance numbers it.

``base_url``: the instance, default ``https://mastodon.social``. Options: ``limit`` (page size,
1-40, default 40), ``local`` (tag timelines). Credentials: optional ``access_token`` (a read-only
token of an account on that instance; needed where feeds are for logged-in users only) and
``host`` (that instance's host name: the token is then never sent to any other instance).

Pagination follows the ``Link`` header (``rel="next"`` carries ``max_id``); requests are paced on
``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (an ISO-8601 time), and a 429 waits until that
reset. The cursor is the JSON of ``connectors.http.walk.Walk`` over status ids.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import aiohttp

from connectors.base import (
    ConnectorBase,
    MalformedResponse,
    Page,
    PermanentError,
    SourceSpec,
    Unreadable,
    bool_option,
    int_option,
)
from connectors.http.client import (
    Pacer,
    RateLimitState,
    Response,
    credentials_for_host,
    ratelimit_parser,
    request,
)
from connectors.http.parse import (
    json_unreadable,
    load_item,
    parse_iso8601_utc,
    parse_link_header,
)
from connectors.http.walk import Walk
from connectors.mastodon.parse import parse_status, status_key
from connectors.post import Post

log = logging.getLogger(__name__)
# Rate-limit budget per host, shared by every instance in the process (see Pacer).
_BUDGETS: dict[str, RateLimitState] = {}

DEFAULT_BASE = "https://mastodon.social"
MAX_LIMIT = 40
_TAG = re.compile(r"^#?([\w]+)$")
_ACCT = re.compile(r"^@?([A-Za-z0-9_.-]+)@([A-Za-z0-9.-]+\.[A-Za-z0-9-]+)$")
_FEEDS = {"local": ("local",), "remote": ("remote",), "public": ("local", "remote")}


@dataclass(frozen=True, slots=True)
class Target:
    kind: str  # tag | account | timeline | context
    value: str


def parse_target(target: str, *, source: str) -> Target:
    kind, _, value = target.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    ok = (
        (kind == "tag" and _TAG.match(value))
        or (kind == "account" and _ACCT.match(value))
        or (kind == "timeline" and value in _FEEDS)
        or (kind == "context" and value.isdigit())
    )
    if not ok:
        raise PermanentError(
            f"{source}: mastodon target {target!r} not understood; use tag:NAME, "
            "account:user@domain, timeline:local|public|remote or context:STATUS_ID"
        )
    if kind == "tag":
        value = value.lstrip("#")
    if kind == "account":
        value = value.lstrip("@")
    return Target(kind, value)


class MastodonConnector(ConnectorBase):
    name = "mastodon"

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        label = source.label()
        raw = load_item(item.raw, source=label)
        return (parse_status(raw, source=label, response_url=item.response_url),)

    def _make_pacer(self) -> Pacer:
        return Pacer(
            ratelimit_parser("X-RateLimit-", reset="iso", clock=self._clock),
            sleep=self._sleep,
            clock=self._clock,
            states=_BUDGETS,
        )

    def _retry_after(self, response: Response) -> float | None:
        reset = response.headers.get("X-RateLimit-Reset")
        if not reset:
            return None
        try:
            when = parse_iso8601_utc(reset, what="X-RateLimit-Reset").timestamp()
        except MalformedResponse:
            return None
        return max(0.0, when - self._clock())

    async def _get(
        self,
        session: aiohttp.ClientSession,
        url: str,
        source: SourceSpec,
        params: Mapping[str, Any] | None = None,
    ) -> Response:
        token = credentials_for_host(source.credentials, url).get("access_token", "")
        headers = {"Authorization": f"Bearer {token}"} if token else None
        return await request(
            session,
            "GET",
            url,
            source=source.label(),
            params=params,
            headers=headers,
            retry=self._retry,
            pacer=self._pacer,
            retry_after=self._retry_after,
            secrets=[token] if token else (),
            sleep=self._sleep,
            rng=self._rng,
            clock=self._clock,
        )

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        target = parse_target(source.target, source=label)
        base = (source.base_url or DEFAULT_BASE).rstrip("/")
        if target.kind == "context":
            yield await self._context(session, source, base, target.value, cursor, backfill_limit)
            return
        path, params = await self._listing(session, source, base, target)
        async for page in self._walk(session, source, base + path, params, cursor, backfill_limit):
            yield page

    async def _listing(
        self, session: aiohttp.ClientSession, source: SourceSpec, base: str, target: Target
    ) -> tuple[str, dict[str, Any]]:
        label = source.label()
        if target.kind == "tag":
            local = bool_option(source.options, "local", False, source=label)
            return f"/api/v1/timelines/tag/{quote(target.value)}", (
                {"local": "true"} if local else {}
            )
        if target.kind == "account":
            account_id = await self._lookup(session, source, base, target.value)
            return f"/api/v1/accounts/{account_id}/statuses", {}
        await self._check_feed_access(session, source, base, target.value)
        params = {"local": {"local": "true"}, "remote": {"remote": "true"}}.get(target.value, {})
        log.debug("%s: reading the %s timeline", label, target.value)
        return "/api/v1/timelines/public", dict(params)

    async def _lookup(
        self, session: aiohttp.ClientSession, source: SourceSpec, base: str, acct: str
    ) -> str:
        label = source.label()
        try:
            resp = await self._get(
                session, base + "/api/v1/accounts/lookup", source, {"acct": acct}
            )
        except PermanentError as err:
            raise PermanentError(f"{label}: account {acct} not found on {base} ({err})") from err
        data = resp.json()
        account_id = data.get("id") if isinstance(data, Mapping) else None
        if not isinstance(account_id, str | int) or not str(account_id):
            raise MalformedResponse(f"{label}: account lookup for {acct} returned no id")
        return str(account_id)

    async def _check_feed_access(
        self, session: aiohttp.ClientSession, source: SourceSpec, base: str, feed: str
    ) -> None:
        label = source.label()
        try:
            resp = await self._get(session, base + "/api/v2/instance", source)
        except PermanentError:
            return  # an instance older than 4.0 has no v2 endpoint and no feed switches
        info = resp.json()
        config = info.get("configuration") if isinstance(info, Mapping) else None
        access = config.get("timelines_access") if isinstance(config, Mapping) else None
        live = access.get("live_feeds") if isinstance(access, Mapping) else None
        if not isinstance(live, Mapping):
            return
        has_token = bool(credentials_for_host(source.credentials, base).get("access_token"))
        for part in _FEEDS[feed]:
            setting = live.get(part, "public")
            if setting == "public" or (setting == "authenticated" and has_token):
                continue
            why = (
                "is disabled by the instance"
                if setting == "disabled"
                else f"needs an access token (timelines_access.live_feeds.{part} = {setting!r})"
            )
            raise PermanentError(
                f"{label}: the {feed} timeline of {base} {why}; read a tag:NAME or an "
                "account:user@domain there instead"
            )

    async def _walk(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        url: str,
        params: Mapping[str, Any],
        cursor: str | None,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        walk = Walk.load(cursor, source=label)
        limit = _page_size(source)
        seen: set[str] = set()
        while True:
            query = dict(params, limit=str(limit))
            if walk.page:
                query["max_id"] = walk.page
            resp = await self._get(session, url, source, query)
            items = resp.json()
            if not isinstance(items, list):
                raise MalformedResponse(f"{label}: expected a list of statuses from {resp.url}")
            keys = [status_key(i) if isinstance(i, Mapping) else None for i in items]
            walk, keep = walk.advance(keys, _next_max_id(resp), backfill_limit=backfill_limit)
            posts, unreadable = _parse_all(items, keep, label, resp, seen)
            yield Page(tuple(posts), walk.dump(), unreadable)
            if walk.page is None:
                return

    async def _context(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        base: str,
        status_id: str,
        cursor: str | None,
        backfill_limit: int,
    ) -> Page:
        label = source.label()
        walk = Walk.load(cursor, source=label)
        status_resp = await self._get(session, f"{base}/api/v1/statuses/{status_id}", source)
        resp = await self._get(session, f"{base}/api/v1/statuses/{status_id}/context", source)
        context = resp.json()
        if not isinstance(context, Mapping):
            raise MalformedResponse(f"{label}: expected a context object from {resp.url}")
        ancestors = context.get("ancestors") or []
        descendants = context.get("descendants") or []
        if not isinstance(ancestors, list) or not isinstance(descendants, list):
            raise MalformedResponse(f"{label}: context of {status_id} has no status lists")
        items: list[Any] = [*ancestors, status_resp.json(), *descendants]
        uris = {
            str(i["id"]): str(i["uri"])
            for i in items
            if isinstance(i, Mapping) and i.get("id") is not None and i.get("uri")
        }
        root = items[0] if items else None
        thread_id = uris.get(str(root.get("id"))) if isinstance(root, Mapping) else None
        keys = [status_key(i) if isinstance(i, Mapping) else None for i in items]
        # Replies arrive in thread order, not newest first: every id is compared to the mark.
        walk, keep = walk.advance(keys, None, backfill_limit=backfill_limit, stop_on_any_old=False)
        posts, unreadable = _parse_all(
            items, keep, label, resp, set(), thread_id=thread_id or status_id, uris=uris
        )
        return Page(tuple(posts), walk.dump(), unreadable)


def _page_size(source: SourceSpec) -> int:
    return int_option(source.options, "limit", MAX_LIMIT, 1, MAX_LIMIT, source=source.label())


def _next_max_id(resp: Response) -> str | None:
    nxt = parse_link_header(resp.headers.get("Link")).get("next")
    if not nxt:
        return None
    values = parse_qs(urlsplit(nxt).query).get("max_id")
    return values[0] if values else None


def _parse_all(
    items: list[Any],
    keep: list[bool],
    label: str,
    resp: Response,
    seen: set[str],
    *,
    thread_id: str | None = None,
    uris: Mapping[str, str] | None = None,
) -> tuple[list[Post], tuple[Unreadable, ...]]:
    posts: list[Post] = []
    unreadable: list[Unreadable] = []
    for index, (item, wanted) in enumerate(zip(items, keep, strict=True)):
        if not wanted:
            continue
        try:
            post = parse_status(
                item,
                source=label,
                response=resp.body,
                response_url=resp.url,
                thread_id=thread_id,
                uris=uris,
            )
        except (MalformedResponse, ValueError) as err:
            ident = item.get("id") if isinstance(item, Mapping) else None
            log.warning("%s: could not read status #%d (id %r), kept to retry: %s",
                        label, index, ident, err)
            unreadable.append(json_unreadable(item, err, key=ident, response_url=resp.url))
            continue
        if post.post_id in seen:
            continue  # the same status boosted twice in one walk
        seen.add(post.post_id)
        posts.append(post)
    return posts, tuple(unreadable)
