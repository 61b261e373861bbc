"""HTTP calls to one Discourse forum: auth headers, 429 handling, batched post fetches."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from connectors.base import (
    MalformedResponse,
    PermanentError,
    RetryPolicy,
    SourceSpec,
    Unreadable,
)
from connectors.discourse.parse import parse_post
from connectors.http.client import Response, credentials_for_host, request
from connectors.http.parse import json_unreadable
from connectors.post import Post

log = logging.getLogger(__name__)
BATCH = 20  # Discourse serves at most 20 posts per post_ids[] request


@dataclass
class Forum:
    """One source's view of a forum; made per sweep, holds no state between sweeps."""

    session: aiohttp.ClientSession
    source: SourceSpec
    base: str
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.time
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    rng: random.Random | None = None

    @property
    def label(self) -> str:
        return self.source.label()

    @property
    def credentials(self) -> Mapping[str, str]:
        return credentials_for_host(self.source.credentials, self.base)

    def _headers(self) -> dict[str, str] | None:
        key = self.credentials.get("api_key")
        if not key:
            return None
        return {
            "Api-Key": key,
            "Api-Username": self.credentials.get("api_username", "system"),
        }

    async def get(self, path: str, params: Sequence[tuple[str, str]] = ()) -> Response:
        url = self.base + path + (("?" + urlencode(list(params))) if params else "")
        key = self.credentials.get("api_key")
        return await request(
            self.session,
            "GET",
            url,
            source=self.label,
            headers=self._headers(),
            retry=self.retry,
            retry_after=wait_seconds,
            secrets=[key] if key else (),
            sleep=self.sleep,
            rng=self.rng,
            clock=self.clock,
        )

    async def get_json(
        self, path: str, params: Sequence[tuple[str, str]] = ()
    ) -> tuple[Any, Response]:
        resp = await self.get(path, params)
        data = resp.json()
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"{self.label}: expected a JSON object from {resp.url}")
        return data, resp

    async def posts_by_id(
        self, topic_id: int, post_ids: Sequence[int], slug: str | None
    ) -> list[tuple[list[Post], list[Unreadable]]]:
        """Full posts of one topic, 20 ids a request; one (posts, unreadable) per request."""
        out: list[tuple[list[Post], list[Unreadable]]] = []
        for start in range(0, len(post_ids), BATCH):
            batch = post_ids[start : start + BATCH]
            data, resp = await self.get_json(
                f"/t/{topic_id}/posts.json", [("post_ids[]", str(i)) for i in batch]
            )
            stream = data.get("post_stream")
            items = stream.get("posts") if isinstance(stream, Mapping) else None
            if not isinstance(items, list):
                raise MalformedResponse(f"{self.label}: no post_stream.posts from {resp.url}")
            out.append(self.parse_all(items, resp, slug))
        return out

    def parse_all(
        self, items: Sequence[Any], resp: Response, slug: str | None = None
    ) -> tuple[list[Post], list[Unreadable]]:
        posts: list[Post] = []
        unreadable: list[Unreadable] = []
        for index, item in enumerate(items):
            try:
                posts.append(
                    parse_post(
                        item,
                        base=self.base,
                        source=self.label,
                        topic_slug=slug,
                        response=resp.body,
                        response_url=resp.url,
                    )
                )
            except (MalformedResponse, ValueError) as err:
                ident = item.get("id") if isinstance(item, Mapping) else None
                log.warning("%s: could not read post #%d (id %r), kept to retry: %s",
                            self.label, index, ident, err)
                unreadable.append(json_unreadable(item, err, key=ident, response_url=resp.url))
        return posts, unreadable


def wait_seconds(resp: Response) -> float | None:
    """Discourse puts the wait in the body too (``extras.wait_seconds``); prefer the header."""
    header = resp.headers.get("Retry-After")
    if header and header.strip().isdigit():
        return float(header)
    try:
        data = resp.json()
    except MalformedResponse:
        return None
    extras = data.get("extras") if isinstance(data, Mapping) else None
    wait = extras.get("wait_seconds") if isinstance(extras, Mapping) else None
    return float(wait) if isinstance(wait, int | float) and not isinstance(wait, bool) else None


def require_base(source: SourceSpec) -> str:
    if not source.base_url:
        raise PermanentError(
            f"{source.label()}: a discourse source needs base_url, the forum's address "
            "(e.g. https://forum.example.org)"
        )
    return source.base_url.rstrip("/")
