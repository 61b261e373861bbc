"""Reddit, through the OAuth API of an approved app (application-only, client credentials).

Target grammar (``SourceSpec.target``):

- ``subreddit:NAME`` — new submissions of r/NAME (``/r/NAME/new``).
- ``comments:NAME`` — new comments across r/NAME (``/r/NAME/comments``).

``base_url``: the API, default ``https://oauth.reddit.com``. Option ``token_url``: where the
app gets its token, default ``<base_url>/api/v1/access_token`` when a base_url is set, else
``https://www.reddit.com/api/v1/access_token``. Option ``limit`` (page size 1-100, default 100).

Credentials: ``client_id`` and ``client_secret`` of the app registered at
https://www.reddit.com/prefs/apps (type "script" or "web"), and ``user_agent``: Reddit requires a
descriptive one, e.g. ``linux:org.example.hate-monitor:v0.1 (by /u/your_account)``.

Requests carry ``raw_json=1``; pages are walked with the ``after`` fullname; requests are paced on
``X-Ratelimit-Remaining`` / ``X-Ratelimit-Reset`` (float strings; reset in seconds from now). A
quarantined, private or banned subreddit is reported as such (``PermanentError``), a refused
token as ``AuthFailed`` (tokens: ``connectors.reddit.auth``). The cursor is the JSON of
``connectors.http.walk.Walk`` over base-36 ids.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Mapping
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
from connectors.http.client import Pacer, RateLimitState, Response, ratelimit_parser, request
from connectors.http.parse import json_unreadable, load_item
from connectors.http.walk import Walk
from connectors.post import Post
from connectors.reddit import auth
from connectors.reddit.parse import id_key, parse_thing

log = logging.getLogger(__name__)
# Rate-limit budget per host, shared by every instance in the process (see Pacer).
_BUDGETS: dict[str, RateLimitState] = {}

DEFAULT_API = "https://oauth.reddit.com"
MAX_LIMIT = 100
_NAME = re.compile(r"^(?:/?r/)?([A-Za-z0-9_]{2,21})$")
_PATHS = {"subreddit": "new", "comments": "comments"}


def parse_target(target: str, *, source: str) -> tuple[str, str]:
    kind, _, value = target.partition(":")
    match = _NAME.match(value.strip())
    if kind.strip().lower() not in _PATHS or not match:
        raise PermanentError(
            f"{source}: reddit target {target!r} not understood; use subreddit:NAME or "
            "comments:NAME"
        )
    return kind.strip().lower(), match.group(1)


class RedditConnector(ConnectorBase):
    name = "reddit"

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        label = source.label()
        raw = load_item(item.raw, source=label)
        return (parse_thing(raw, source=label, response_url=item.response_url),)

    def _make_pacer(self) -> Pacer:
        return Pacer(
            ratelimit_parser("X-Ratelimit-", reset="delta", clock=self._clock),
            sleep=self._sleep,
            clock=self._clock,
            states=_BUDGETS,
        )

    def _retry_after(self, response: Response) -> float | None:
        reset = response.headers.get("X-Ratelimit-Reset")
        try:
            return max(0.0, float(reset)) if reset else None
        except ValueError:
            return None

    async def _req(
        self, session: aiohttp.ClientSession, method: str, url: str, source: SourceSpec, **kw: Any
    ) -> Response:
        secrets = [source.credentials.get("client_secret", ""), *kw.pop("secrets", ())]
        return await request(
            session,
            method,
            url,
            source=source.label(),
            retry=self._retry,
            pacer=self._pacer,
            retry_after=self._retry_after,
            secrets=[s for s in secrets if s],
            sleep=self._sleep,
            rng=self._rng,
            clock=self._clock,
            **kw,
        )

    async def _token(
        self, session: aiohttp.ClientSession, source: SourceSpec, token_url: str
    ) -> str:
        label = source.label()
        client_id = source.credentials.get("client_id", "")
        secret = source.credentials.get("client_secret", "")
        if not client_id or not secret:
            raise AuthFailed(f"{label}: reddit needs credentials 'client_id' and 'client_secret'")

        async def send(url: str, **kw: Any) -> Response:
            return await self._req(session, "POST", url, source, **kw)

        return await auth.app_token(
            send, token_url, client_id, secret, user_agent=_user_agent(source), label=label,
            clock=self._clock,
        )

    async def _get(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        token_url: str,
        url: str,
        params: Mapping[str, str],
        sub: str,
    ) -> Response:
        for attempt in (1, 2):
            token = await self._token(session, source, token_url)
            resp = await self._req(
                session,
                "GET",
                url,
                source,
                params=params,
                headers={"Authorization": f"bearer {token}", "User-Agent": _user_agent(source)},
                secrets=[token],
                ok=lambda s: 200 <= s < 300 or s in (401, 403, 404),
            )
            if resp.status < 300:
                return resp
            if resp.status == 401 and attempt == 1:
                # Expired or revoked early: forget it and ask for a fresh one, once.
                auth.forget(token_url, source.credentials.get("client_id", ""))
                continue
            raise _refusal(resp, source.label(), sub)
        raise AssertionError("unreachable")  # pragma: no cover

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        kind, sub = parse_target(source.target, source=label)
        _user_agent(source)
        api = (source.base_url or DEFAULT_API).rstrip("/")
        token_url = str(
            source.options.get("token_url")
            or (f"{api}/api/v1/access_token" if source.base_url else auth.AUTH_ENDPOINT)
        )
        url = f"{api}/r/{sub}/{_PATHS[kind]}"
        walk = Walk.load(cursor, source=label)
        limit = _limit(source)
        seen: set[str] = set()
        while True:
            params = {"limit": str(limit), "raw_json": "1"}
            if walk.page:
                params["after"] = walk.page
            resp = await self._get(session, source, token_url, url, params, sub)
            listing = resp.json()
            data = listing.get("data") if isinstance(listing, Mapping) else None
            children = data.get("children") if isinstance(data, Mapping) else None
            if not isinstance(data, Mapping) or not isinstance(children, list):
                raise MalformedResponse(f"{label}: expected a Listing from {resp.url}")
            after = data.get("after") if isinstance(data.get("after"), str) else None
            walk, keep = walk.advance(
                [id_key(c) for c in children], after or None, backfill_limit=backfill_limit
            )
            posts, unreadable = _parse_all(children, keep, label, resp, seen)
            yield Page(tuple(posts), walk.dump(), unreadable)
            if walk.page is None:
                return


def _user_agent(source: SourceSpec) -> str:
    agent = source.credentials.get("user_agent") or source.options.get("user_agent")
    if not isinstance(agent, str) or len(agent.strip()) < 10:
        raise PermanentError(
            f"{source.label()}: reddit needs a descriptive user_agent, e.g. "
            "'linux:org.example.hate-monitor:v0.1 (by /u/your_account)'"
        )
    return agent.strip()


def _limit(source: SourceSpec) -> int:
    return int_option(source.options, "limit", MAX_LIMIT, 1, MAX_LIMIT, source=source.label())


def _refusal(resp: Response, label: str, sub: str) -> Exception:
    """Turn Reddit's 401/403/404 bodies into an error that says what is wrong with r/<sub>."""
    try:
        body = resp.json()
    except MalformedResponse:
        body = {}
    reason = str(body.get("reason", "")) if isinstance(body, Mapping) else ""
    explained = {
        "quarantined": "is quarantined: an app-only token cannot opt in, so it cannot be read",
        "private": "is private: only approved members can read it",
        "banned": "has been banned by Reddit",
        "gold_only": "is restricted to premium members",
    }
    if reason in explained:
        return PermanentError(f"{label}: r/{sub} {explained[reason]} (HTTP {resp.status})")
    if resp.status == 404:
        return PermanentError(f"{label}: r/{sub} not found (HTTP 404); check the name")
    return AuthFailed(
        f"{label}: reddit refused the app's token (HTTP {resp.status}); check client_id, "
        "client_secret and that the app is approved for API access"
    )


def _parse_all(
    children: list[Any], keep: list[bool], label: str, resp: Response, seen: set[str]
) -> tuple[list[Post], tuple[Unreadable, ...]]:
    posts: list[Post] = []
    unreadable: list[Unreadable] = []
    for index, (child, wanted) in enumerate(zip(children, keep, strict=True)):
        if not wanted:
            continue
        try:
            post = parse_thing(child, source=label, response=resp.body, response_url=resp.url)
        except (MalformedResponse, ValueError) as err:
            log.warning("%s: could not read listing child #%d, kept to retry: %s",
                        label, index, err)
            data = child.get("data") if isinstance(child, Mapping) else None
            key = data.get("name") if isinstance(data, Mapping) else None
            unreadable.append(json_unreadable(child, err, key=key, response_url=resp.url))
            continue
        if post.post_id not in seen:
            seen.add(post.post_id)
            posts.append(post)
    return posts, tuple(unreadable)
