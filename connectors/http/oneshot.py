"""One bounded request for ``connectors.resolve``: short timeout, capped body, no foreign redirects.

``Call`` carries what a platform's ``fetch`` module needs for that request (session, credentials,
user agent) and ``fetch`` makes it.

``connectors.http.client.request`` is built for sweeps (retries, pacing, aiohttp following
redirects); a reported URL needs the opposite: one quick try, so the moderator is not kept
waiting, and no redirect that could carry us to a host the SSRF rules never saw. Redirects are
followed by hand, and only to the same scheme and host.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from connectors.base import MalformedResponse, PermanentError, SourceUnavailable
from connectors.http.client import Response, excerpt, redact, redact_url
from connectors.post import Post

log = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=10.0, connect=5.0)
MAX_BODY = 2 * 1024 * 1024  # one post (or one preview page) is far smaller
MAX_HOPS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
GONE = frozenset({401, 403, 404, 410})


class Gone(PermanentError):
    """The platform says the post is not there for us: deleted, private, or never existed."""


class RedirectRefused(PermanentError):
    """The platform sent us elsewhere; we do not follow it off the host we were allowed."""


async def _read(resp: aiohttp.ClientResponse, shown: str) -> bytes:
    declared = resp.content_length
    if declared is not None and declared > MAX_BODY:
        raise MalformedResponse(f"response from {shown} declares {declared} bytes (> {MAX_BODY})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > MAX_BODY:
            raise MalformedResponse(f"response from {shown} exceeds {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def fetch(
    session: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    label: str,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    data: Mapping[str, str] | None = None,
    secrets: Sequence[str] = (),
) -> Response:
    """The 2xx response; ``Gone`` for 401/403/404/410, ``RedirectRefused``, or another
    ``ConnectorError``. Never retried: the caller keeps the moderator's copy instead."""
    start = urlsplit(url)
    current = url
    kwargs: dict[str, Any] = {"allow_redirects": False, "timeout": TIMEOUT}
    if params is not None:
        kwargs["params"] = dict(params)
    if headers is not None:
        kwargs["headers"] = dict(headers)
    if data is not None:
        kwargs["data"] = dict(data)
    for _ in range(MAX_HOPS + 1):
        shown = redact_url(current, secrets)
        try:
            async with session.request(method, current, **kwargs) as resp:
                status = resp.status
                location = resp.headers.get("Location")
                body = b"" if status in _REDIRECTS else await _read(resp, shown)
                final = redact_url(str(resp.url), secrets)
                resp_headers = CIMultiDictProxy(CIMultiDict(resp.headers))
        except (TimeoutError, aiohttp.ClientError) as err:
            reason = redact(f"{type(err).__name__}: {err}".rstrip(": "), secrets)
            raise SourceUnavailable(f"{label}: {method} {shown} failed ({reason})") from err
        if status in _REDIRECTS:
            target = urlsplit(urljoin(current, location or ""))
            if not location or (target.scheme, target.netloc) != (start.scheme, start.netloc):
                raise RedirectRefused(
                    f"{label}: {shown} redirects to {redact_url(target.geturl(), secrets)!r}, "
                    "another host; not followed"
                )
            current = target.geturl()
            if method == "GET":
                kwargs.pop("params", None)  # the Location already carries its query
            continue
        if 200 <= status < 300:
            return Response(status, resp_headers, body, final, label)
        if status in GONE:
            raise Gone(f"{label}: {final} answered HTTP {status} (deleted, private or unknown)")
        raise PermanentError(f"{label}: HTTP {status} from {final}: {excerpt(body, secrets)}")
    raise RedirectRefused(f"{label}: {redact_url(url, secrets)} redirects more than {MAX_HOPS} "
                          "times")


@dataclass(frozen=True, slots=True)
class Call:
    """What a platform's ``fetch`` needs to fetch one reported post: the shared session, the
    platform's credentials and the user agent (values handed in by the caller), and the label its
    errors carry."""

    session: aiohttp.ClientSession
    label: str
    api_base: str | None = None
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    user_agent: str = ""

    def url(self, url: str) -> str:
        """``url``, or the same path on the test server when ``api_base`` is set."""
        if self.api_base is None:
            return url
        parts = urlsplit(url)
        return self.api_base.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")

    async def get(self, url: str, **kw: Any) -> Response:
        return await fetch(self.session, "GET", self.url(url), label=self.label, **kw)

    async def json(self, url: str, **kw: Any) -> tuple[Response, Mapping[str, Any]]:
        resp = await self.get(url, **kw)
        data = resp.json()
        if not isinstance(data, Mapping):
            raise MalformedResponse(f"{self.label}: {resp.url} answered JSON that is no object")
        return resp, data


def with_response(post: Post, resp: Response) -> Post:
    """``post`` carrying the whole answer it came in, for parsers that build no response fields."""
    return replace(post, response=resp.body, response_url=resp.url)
