"""Bluesky (the AT Protocol AppView, and a PDS for search).

Target grammar (``SourceSpec.target``):

- ``author:HANDLE_OR_DID`` — an account's feed, reposts included (``app.bsky.feed.getAuthorFeed``).
  Option ``filter``: ``posts_with_replies`` (default), ``posts_no_replies``,
  ``posts_and_author_threads``.
- ``list:AT_URI`` — the posts of a list's members (``getListFeed``; ``at://…/app.bsky.graph.list/…``).
- ``feed:AT_URI`` — a custom feed generator (``getFeed``; ``at://…/app.bsky.feed.generator/…``).
- ``search:QUERY`` — newest posts matching a query (``searchPosts``, ``sort=latest``). Search needs
  a logged-in session: credentials ``identifier`` (handle or e-mail) and ``app_password`` (an
  *app password* from Settings → App passwords, never the account password).

``base_url``: the AppView for the public feeds, default ``https://public.api.bsky.app`` (no
login). Option ``pds_url``: where search logs in and asks, default ``base_url`` when one is set,
else ``https://bsky.social``. Options: ``limit`` (page size 1-100, default 100), ``max_pages``
(feed generators only, default 10: a ranked feed has no "old end" to walk down to).

Sessions (``createSession``) are cached per process and refreshed (``refreshSession``) when the
access token expires, because the login endpoint's own rate limit is small. Requests are paced on
``RateLimit-Remaining`` / ``RateLimit-Reset`` (epoch seconds); a 429 waits until that reset.
Reposts of a post already seen in the walk are dropped (same post URI). The cursor is the JSON of
``connectors.http.Walk`` over feed times (repost time for reposts), compared inclusively.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from connectors.base import (
    AuthFailed,
    ConnectorBase,
    MalformedResponse,
    Page,
    PermanentError,
    SourceSpec,
    Unreadable,
    int_option,
)
from connectors.bluesky.parse import feed_item_key, parse_post
from connectors.http.client import Pacer, RateLimitState, Response, ratelimit_parser, request
from connectors.http.parse import json_unreadable, load_item
from connectors.http.walk import Walk
from connectors.post import Post

log = logging.getLogger(__name__)
# Rate-limit budget per host, shared by every instance in the process (see Pacer).
_BUDGETS: dict[str, RateLimitState] = {}

DEFAULT_APPVIEW = "https://public.api.bsky.app"
DEFAULT_PDS = "https://bsky.social"
MAX_LIMIT = 100
_XRPC = {
    "author": ("app.bsky.feed.getAuthorFeed", "actor", "feed"),
    "list": ("app.bsky.feed.getListFeed", "list", "feed"),
    "feed": ("app.bsky.feed.getFeed", "feed", "feed"),
    "search": ("app.bsky.feed.searchPosts", "q", "posts"),
}
_FILTERS = ("posts_with_replies", "posts_no_replies", "posts_and_author_threads")
_EXPIRED = ("ExpiredToken", "InvalidToken")


@dataclass(frozen=True, slots=True)
class _Session:
    access: str
    refresh: str
    did: str


# One login per (PDS, identifier) per process: createSession is rate-limited hard.
_SESSIONS: dict[tuple[str, str], _Session] = {}


def parse_target(target: str, *, source: str) -> tuple[str, str]:
    kind, _, value = target.partition(":")
    kind, value = kind.strip().lower(), value.strip()
    valid = value and (
        kind in ("author", "search")
        or (kind == "list" and value.startswith("at://") and "/app.bsky.graph.list/" in value)
        or (kind == "feed" and value.startswith("at://") and "/app.bsky.feed.generator/" in value)
    )
    if not valid:
        raise PermanentError(
            f"{source}: bluesky target {target!r} not understood; use author:HANDLE_OR_DID, "
            "list:at://…/app.bsky.graph.list/…, feed:at://…/app.bsky.feed.generator/… "
            "or search:QUERY"
        )
    return kind, value.lstrip("@") if kind == "author" else value


class BlueskyConnector(ConnectorBase):
    name = "bluesky"

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        label = source.label()
        raw = load_item(item.raw, source=label)
        return (parse_post(raw, source=label, response_url=item.response_url),)

    def _make_pacer(self) -> Pacer:
        return Pacer(
            ratelimit_parser("RateLimit-", reset="epoch"),
            sleep=self._sleep,
            clock=self._clock,
            states=_BUDGETS,
        )

    def _retry_after(self, response: Response) -> float | None:
        reset = response.headers.get("RateLimit-Reset")
        try:
            return max(0.0, float(reset) - self._clock()) if reset else None
        except ValueError:
            return None

    async def _call(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        source: SourceSpec,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        token: str | None = None,
        ok: Callable[[int], bool] | None = None,
    ) -> Response:
        secrets = [s for s in (token, source.credentials.get("app_password")) if s]
        extra: dict[str, Any] = {"ok": ok} if ok is not None else {}
        return await request(
            session,
            method,
            url,
            source=source.label(),
            params=params,
            json_body=json_body,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            retry=self._retry,
            pacer=self._pacer,
            retry_after=self._retry_after,
            secrets=secrets,
            sleep=self._sleep,
            rng=self._rng,
            clock=self._clock,
            **extra,
        )

    # ------------------------------------------------------------------ sessions

    async def _login(
        self, session: aiohttp.ClientSession, source: SourceSpec, pds: str
    ) -> _Session:
        ident = source.credentials.get("identifier", "")
        password = source.credentials.get("app_password", "")
        if not ident or not password:
            raise AuthFailed(
                f"{source.label()}: bluesky search needs credentials 'identifier' and "
                "'app_password' (an app password, not the account password)"
            )
        resp = await self._call(
            session,
            "POST",
            f"{pds}/xrpc/com.atproto.server.createSession",
            source,
            json_body={"identifier": ident, "password": password},
        )
        return self._remember(resp, source, (pds, ident))

    def _remember(self, resp: Response, source: SourceSpec, key: tuple[str, str]) -> _Session:
        data = resp.json()
        if not isinstance(data, Mapping) or not all(
            isinstance(data.get(k), str) for k in ("accessJwt", "refreshJwt", "did")
        ):
            raise MalformedResponse(f"{source.label()}: session response lacks its tokens")
        made = _Session(data["accessJwt"], data["refreshJwt"], data["did"])
        _SESSIONS[key] = made
        return made

    async def _refresh(
        self, session: aiohttp.ClientSession, source: SourceSpec, pds: str, old: _Session
    ) -> _Session:
        key = (pds, source.credentials.get("identifier", ""))
        try:
            resp = await self._call(
                session,
                "POST",
                f"{pds}/xrpc/com.atproto.server.refreshSession",
                source,
                token=old.refresh,
            )
        except (AuthFailed, PermanentError):
            _SESSIONS.pop(key, None)
            return await self._login(session, source, pds)
        return self._remember(resp, source, key)

    async def _authed_get(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        pds: str,
        url: str,
        params: Mapping[str, Any],
    ) -> Response:
        key = (pds, source.credentials.get("identifier", ""))
        current = _SESSIONS.get(key) or await self._login(session, source, pds)
        for attempt in (1, 2):
            resp = await self._call(
                session,
                "GET",
                url,
                source,
                params=params,
                token=current.access,
                ok=lambda s: 200 <= s < 300 or s in (400, 401),
            )
            if resp.status < 300:
                return resp
            error, message = _xrpc_error(resp)
            if error in _EXPIRED and attempt == 1:
                current = await self._refresh(session, source, pds, current)
                continue
            if resp.status == 401 or error in _EXPIRED:
                _SESSIONS.pop(key, None)
                raise AuthFailed(f"{source.label()}: bluesky refused the session ({error})")
            raise PermanentError(f"{source.label()}: bluesky said {error}: {message}")
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------ walking

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        kind, value = parse_target(source.target, source=label)
        method, param, field = _XRPC[kind]
        appview = (source.base_url or DEFAULT_APPVIEW).rstrip("/")
        pds = str(source.options.get("pds_url") or source.base_url or DEFAULT_PDS).rstrip("/")
        params: dict[str, Any] = {param: value, "limit": str(_limit(source))}
        if kind == "author":
            flt = str(source.options.get("filter", "posts_with_replies"))
            if flt not in _FILTERS:
                raise PermanentError(f"{label}: option filter must be one of {', '.join(_FILTERS)}")
            params["filter"] = flt
        if kind == "search":
            params["sort"] = "latest"
        ranked = kind == "feed"
        max_pages = (
            int_option(source.options, "max_pages", 10, 1, 1000, source=label) if ranked else None
        )
        walk = Walk.load(cursor, source=label)
        seen: set[str] = set()
        pages_done = 0
        while True:
            query = dict(params, cursor=walk.page) if walk.page else params
            if kind == "search":
                url = f"{pds}/xrpc/{method}"
                resp = await self._authed_get(session, source, pds, url, query)
            else:
                resp = await self._call(
                    session, "GET", f"{appview}/xrpc/{method}", source, params=query
                )
            data = resp.json()
            items = data.get(field) if isinstance(data, Mapping) else None
            if not isinstance(items, list):
                raise MalformedResponse(f"{label}: expected a {field!r} list from {resp.url}")
            next_page = data.get("cursor") if isinstance(data.get("cursor"), str) else None
            pages_done += 1
            if max_pages is not None and pages_done >= max_pages:
                next_page = None  # a ranked feed: stop here, the mark moves to what we saw
            walk, keep = walk.advance(
                [feed_item_key(i) for i in items],
                next_page or None,
                backfill_limit=backfill_limit,
                inclusive=True,
                stop_on_any_old=not ranked,
            )
            posts, unreadable = _parse_all(items, keep, label, resp, seen)
            yield Page(tuple(posts), walk.dump(), unreadable)
            if walk.page is None:
                return


def _limit(source: SourceSpec) -> int:
    return int_option(source.options, "limit", MAX_LIMIT, 1, MAX_LIMIT, source=source.label())


def _xrpc_error(resp: Response) -> tuple[str, str]:
    try:
        data = resp.json()
    except MalformedResponse:
        return f"HTTP {resp.status}", resp.text()[:200]
    if not isinstance(data, Mapping):
        return f"HTTP {resp.status}", ""
    return str(data.get("error") or f"HTTP {resp.status}"), str(data.get("message") or "")[:200]


def _parse_all(
    items: list[Any], keep: list[bool], label: str, resp: Response, seen: set[str]
) -> tuple[list[Post], tuple[Unreadable, ...]]:
    posts: list[Post] = []
    unreadable: list[Unreadable] = []
    for index, (item, wanted) in enumerate(zip(items, keep, strict=True)):
        if not wanted:
            continue
        try:
            post = parse_post(item, source=label, response=resp.body, response_url=resp.url)
        except (MalformedResponse, ValueError) as err:
            log.warning("%s: could not read feed item #%d, kept to retry: %s", label, index, err)
            inner = item.get("post", item) if isinstance(item, Mapping) else None
            key = inner.get("uri") if isinstance(inner, Mapping) else None
            unreadable.append(json_unreadable(item, err, key=key, response_url=resp.url))
            continue
        if post.post_id in seen:
            continue  # a repost of a post already taken in this walk
        seen.add(post.post_id)
        posts.append(post)
    return posts, tuple(unreadable)
