"""Lemmy communities (posts and comments) through the instance's HTTP API v3, anonymously.

Target grammar (``SourceSpec.target``)::

    [posts:|comments:]<community>[@<home instance>]
    e.g.  technology@lemmy.world     posts and comments of !technology@lemmy.world
          comments:unitedkingdom      comments only, community local to base_url
          !technology@lemmy.world     (Lemmy's own notation is accepted; so is c/<name>)

``base_url`` is required: the instance the API is read through (e.g. ``https://lemmy.world``). It
need not be the community's home instance; a federated community is named ``name@home``.

The version comes from ``/api/v3/site``: 0.19 and later page posts with ``page_cursor`` /
``next_page``; older instances (and comments on every version) use ``page`` numbers. Both lists
are read ``sort=New`` as resumable newest-first walks (the shared ``Walk`` of
``connectors.http.walk``, one per list, keyed by UTC time then id); posts the community pinned sit
on top of page 1 whatever their age and do not end a walk. The cursor is
``{"posts": <walk>, "comments": <walk>}``.

Lemmy sends no rate-limit headers; a limit arrives as HTTP 400 (0.18) or 429 (0.19) with
``{"error":"rate_limit_error"}`` and becomes ``RateLimited`` with a default wait.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp

from connectors.base import (
    ConnectorBase,
    MalformedResponse,
    Page,
    PermanentError,
    RateLimited,
    SourceSpec,
    Unreadable,
)
from connectors.http.client import Response, excerpt, request
from connectors.http.parse import json_unreadable, load_item
from connectors.http.walk import Walk
from connectors.lemmy.parse import item_id, parse_comment, parse_post, site_info
from connectors.post import Post

log = logging.getLogger(__name__)

PAGE_LIMIT = 50  # the most Lemmy returns per page
RATE_LIMIT_WAIT = 60.0  # Lemmy's default buckets refill within a minute
KINDS = ("posts", "comments")
_TARGET = re.compile(r"^(?:(posts|comments):)?(?:!|c/)?([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9.-]+))?$")


def parse_target(target: str, *, source: str) -> tuple[tuple[str, ...], str]:
    """(kinds to read, community name as the API wants it)."""
    match = _TARGET.match(target.strip())
    if not match:
        raise PermanentError(
            f"{source}: {target!r} is not a Lemmy community; use "
            "'[posts:|comments:]<community>[@<instance>]', e.g. 'technology@lemmy.world'"
        )
    kind, name, home = match.groups()
    return ((kind,) if kind else KINDS), (f"{name}@{home}" if home else name)


def _error_code(response: Response) -> str:
    try:
        data = response.json()
    except MalformedResponse:
        return ""
    if isinstance(data, Mapping):
        code = data.get("error") or data.get("message")
        return code if isinstance(code, str) else ""
    return ""


def _rate_limit_wait(response: Response) -> float | None:
    # Lemmy's 429 carries no Retry-After; honour one if a proxy in front adds it.
    return None if response.headers.get("Retry-After") else RATE_LIMIT_WAIT


class LemmyConnector(ConnectorBase):
    name = "lemmy"

    async def _get(
        self, session: aiohttp.ClientSession, url: str, params: Mapping[str, str], label: str
    ) -> Response:
        response = await request(
            session, "GET", url, source=label, params=params, retry=self._retry,
            sleep=self._sleep, retry_after=_rate_limit_wait,
            ok=lambda s: 200 <= s < 300 or s == 400,
        )
        if response.status == 400:
            code = _error_code(response)
            if code == "rate_limit_error":
                raise RateLimited(
                    f"{label}: rate limited by Lemmy (HTTP 400 rate_limit_error); "
                    f"retry after {RATE_LIMIT_WAIT:.0f}s", RATE_LIMIT_WAIT)
            if code.startswith("couldnt_find"):
                raise PermanentError(f"{label}: Lemmy says {code} for {response.url}; check the "
                                     "community name and instance")
            raise PermanentError(f"{label}: HTTP 400 from {response.url}: {excerpt(response.body)}")
        return response

    async def pages(
        self,
        session: aiohttp.ClientSession,
        source: SourceSpec,
        cursor: str | None,
        *,
        backfill_limit: int,
    ) -> AsyncIterator[Page]:
        label = source.label()
        kinds, community = parse_target(source.target, source=label)
        if not source.base_url:
            raise PermanentError(f"{label}: a Lemmy source needs base_url (the instance to read "
                                 "through, e.g. https://lemmy.world)")
        base = source.base_url.rstrip("/")
        host = urlsplit(base).netloc.lower()
        walks = _load_walks(cursor, label)

        site = await self._get(session, f"{base}/api/v3/site", {}, label)
        version, languages = site_info(site.json(), source=label)
        post_cursors = version >= (0, 19)

        for kind in kinds:
            walk = walks[kind]
            cursor_mode = post_cursors and kind == "posts"
            if walk.page is not None and walk.page.isdigit() == cursor_mode:
                # The instance was upgraded mid-walk: restart this walk (its mark is kept).
                walk = Walk(since=walk.since)
            while True:
                params = {"community_name": community, "sort": "New", "limit": str(PAGE_LIMIT)}
                if kind == "comments":
                    params["type_"] = "All"
                if cursor_mode:
                    if walk.page is not None:
                        params["page_cursor"] = walk.page
                else:
                    params["page"] = walk.page or "1"
                path = "post/list" if kind == "posts" else "comment/list"
                response = await self._get(session, f"{base}/api/v3/{path}", params, label)
                keys, posts, bad = self._parse(response, kind, host, languages, label)
                if cursor_mode:
                    data = response.json()
                    nxt = data.get("next_page") if isinstance(data, Mapping) else None
                    next_page = nxt if isinstance(nxt, str) and nxt and keys else None
                else:
                    next_page = str(int(walk.page or "1") + 1) if keys else None
                walk, keep = walk.advance(keys, next_page, backfill_limit=backfill_limit,
                                          inclusive=True)
                walks[kind] = walk
                kept = tuple(p for p, wanted in zip(posts, keep, strict=True)
                             if wanted and p is not None)
                unreadable = tuple(b for b, wanted in zip(bad, keep, strict=True)
                                   if wanted and b is not None)
                yield Page(kept, _dump_walks(walks), unreadable)
                if walk.page is None:
                    break

    @staticmethod
    def _parse(
        response: Response, kind: str, host: str, languages: Mapping[int, str], label: str
    ) -> tuple[list[str | None], list[Post | None], list[Unreadable | None]]:
        """Walk keys, posts and unreadable items, in page order. A pinned post has key None
        (kept, but it never ends a walk); a malformed item has key None and post None, and is
        kept as ``Unreadable``."""
        data = response.json()
        raw_items = data.get(kind) if isinstance(data, Mapping) else None
        if not isinstance(raw_items, list):
            raise MalformedResponse(f"{label}: {response.url} has no {kind!r} list")
        keys: list[str | None] = []
        posts: list[Post | None] = []
        bad: list[Unreadable | None] = []
        for raw in raw_items:
            try:
                if kind == "posts":
                    key, pinned, post = parse_post(raw, host=host, languages=languages,
                                                   source=label)
                else:
                    key, post = parse_comment(raw, host=host, languages=languages, source=label)
                    pinned = False
            except (MalformedResponse, ValueError) as err:
                ident = item_id(raw, kind[:-1])
                log.warning("%s: could not read Lemmy %s, kept to retry: %s", label, ident, err)
                keys.append(None)
                posts.append(None)
                bad.append(json_unreadable(raw, err, key=ident, response_url=response.url))
                continue
            keys.append(None if pinned else key)
            posts.append(replace(post, response=response.body, response_url=response.url))
            bad.append(None)
        return keys, posts, bad

    def reparse(self, item: Unreadable, source: SourceSpec) -> tuple[Post, ...]:
        # The instance's language ids are not fetched again: a post read this way has no
        # declared language, and ingest detects one from the text.
        label = source.label()
        raw = load_item(item.raw, source=label)
        host = urlsplit(source.base_url or "").netloc.lower()
        if isinstance(raw, Mapping) and "comment" in raw:
            _, post = parse_comment(raw, host=host, languages={}, source=label)
        else:
            _, _, post = parse_post(raw, host=host, languages={}, source=label)
        return (replace(post, response_url=item.response_url),)


def _load_walks(cursor: str | None, label: str) -> dict[str, Walk]:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError as err:
        raise PermanentError(f"{label}: stored cursor is not JSON: {cursor!r:.80}") from err
    if not isinstance(data, dict):
        raise PermanentError(f"{label}: stored cursor is not a JSON object: {cursor!r:.80}")
    walks: dict[str, Walk] = {}
    for kind in KINDS:
        sub = data.get(kind)
        if sub is not None and not isinstance(sub, dict):
            raise PermanentError(f"{label}: stored cursor's {kind!r} is not a JSON object; "
                                 "clear the source's cursor to start again")
        walks[kind] = Walk.load(json.dumps(sub) if sub else None, source=label)
    return walks


def _dump_walks(walks: Mapping[str, Walk]) -> str:
    return json.dumps({k: json.loads(w.dump()) for k, w in walks.items()}, sort_keys=True,
                      separators=(",", ":"))
