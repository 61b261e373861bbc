"""Failed-login throttling and the client address it is keyed on.

Two limits stand between a guesser and a password:

* per account: ``sessions.register_failure`` locks an account after repeated failures (in the
  database, so every server process sees it; an administrator can unlock it early);
* per client: ``LoginThrottle`` counts failures per client address (in memory, per process).

A client over its limit gets 429 for wrong passwords, but a correct password for an unlocked
account still logs in: behind a proxy or a shared office address many people look like one
client, and one person's (or an attacker's) failures must never lock the whole force out. The
per-account lock is what bounds guessing; the per-client limit slows a spraying client and
shows up in the logs.

The client address is the TCP peer unless the peer is one of ``service.trusted_proxies``; only
then is ``X-Forwarded-For`` read, right to left, skipping trusted hops (a client can put
anything at the left of that header, so only what a trusted proxy appended counts).
"""

from __future__ import annotations

import ipaddress
import logging
from collections import deque
from collections.abc import Iterable, Sequence

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_TRACKED = 10_000  # bound memory under a spray of addresses


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``service.trusted_proxies`` as networks; a bare address is a /32 (or /128)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_ip(remote: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The address a request came from, believing ``X-Forwarded-For`` only from trusted hops."""
    peer = remote or "unknown"
    if not trusted or not _trusted(peer, trusted):
        return peer
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            # A trusted proxy only appends addresses; junk means the chain is broken here, so
            # the last trusted hop is the best we know.
            return client
        client = hop
        if not _trusted(hop, trusted):
            return hop
    return client


class LoginThrottle:
    """Failed logins per client address in a sliding window (in memory, per process)."""

    def __init__(self, limit: int = 20, window_s: int = 900) -> None:
        self.limit = limit
        self.window_s = window_s
        self._fails: dict[str, deque[float]] = {}

    def _recent(self, address: str, now: float) -> deque[float]:
        fails = self._fails.setdefault(address, deque())
        while fails and fails[0] <= now - self.window_s:
            fails.popleft()
        return fails

    def blocked(self, address: str, now: float) -> bool:
        return len(self._recent(address, now)) >= self.limit

    def failed(self, address: str, now: float) -> None:
        fails = self._recent(address, now)
        fails.append(now)
        if len(fails) == self.limit:
            # Once per block, not per attempt; the address is a client's, never a secret.
            log.warning("login failures from %s reached %d in %d s; throttled",
                        address, self.limit, self.window_s)
        if len(self._fails) > MAX_TRACKED:
            self._fails.pop(next(iter(self._fails)))

    def succeeded(self, address: str) -> None:
        self._fails.pop(address, None)
