"""Reddit's application-only OAuth (client credentials), with the one token cache that the sweep
connector and the fetch of a reported URL share.

A token is kept per (token URL, client id) until a minute before Reddit says it expires; a 401 on
an API call means it was revoked early, and the caller ``forget``s it and asks again once.
The caller sends the token request through its own HTTP path (the sweep's retrying client, or
the one-shot fetch), given here as ``send``.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from connectors.base import AuthFailed
from connectors.http.client import Response

AUTH_ENDPOINT = "https://www.reddit.com/api/v1/access_token"
# (token URL, client id) -> (token, expiry on the caller's clock: epoch seconds).
_TOKENS: dict[tuple[str, str], tuple[str, float]] = {}

# send(url, data=..., headers=..., secrets=...): POST the form and return the 2xx response.
Send = Callable[..., Awaitable[Response]]


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")


async def app_token(
    send: Send,
    token_url: str,
    client_id: str,
    secret: str,
    *,
    user_agent: str,
    label: str,
    clock: Callable[[], float] = time.time,
) -> str:
    """A cached or freshly issued application token; ``AuthFailed`` when Reddit issues none."""
    cached = _TOKENS.get((token_url, client_id))
    if cached and cached[1] > clock():
        return cached[0]
    auth = basic(client_id, secret)
    resp = await send(
        token_url,
        data={"grant_type": "client_credentials"},
        headers={"User-Agent": user_agent, "Authorization": auth},
        secrets=[secret, auth],
    )
    data: Any = resp.json()
    token = data.get("access_token") if isinstance(data, Mapping) else None
    if not isinstance(token, str) or not token:
        # Reddit answers a wrong secret with 200 {"error": "invalid_grant"} at times.
        error = data.get("error") if isinstance(data, Mapping) else None
        raise AuthFailed(f"{label}: reddit issued no token ({error or 'no access_token'})")
    expires = data.get("expires_in", 3600)
    lifetime = float(expires) if isinstance(expires, int | float) else 3600.0
    _TOKENS[(token_url, client_id)] = (token, clock() + max(0.0, lifetime - 60))
    return token


def forget(token_url: str, client_id: str) -> None:
    """Drop a token the API refused (expired or revoked early)."""
    _TOKENS.pop((token_url, client_id), None)

