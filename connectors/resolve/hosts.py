"""Which hosts a reported URL may make us contact (the SSRF rules of ``connectors.resolve``).

Moderators and bots type the URL, so it is hostile input: we contact only https hosts that are
either a well-known platform's own host (``WELL_KNOWN``, from each platform's ``fetch.HOSTS``) or
a host the operator already trusts (the ``base_url`` of a configured source, or ``[intake]
fetch_hosts`` in config.toml). IP literals (in any spelling a
resolver accepts, e.g. ``127.1`` or ``0x7f000001``), localhost and internal names are refused
before any lookup, and an operator-trusted host whose name resolves to a private address is
refused too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any
from urllib.parse import SplitResult, urlsplit

from connectors.registry import url_fetchers

log = logging.getLogger(__name__)

# The platforms' own hosts (each platform's ``fetch.HOSTS``), trusted without configuration.
WELL_KNOWN: frozenset[str] = frozenset().union(*(f.HOSTS for f in url_fetchers().values()))

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# A real public name ends in an alphabetic TLD; this alone refuses every numeric IPv4 spelling.
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
_INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan")

Resolver = Callable[[str], Awaitable[list[str]]]


def host_problem(host: str) -> str | None:
    """Why ``host`` (lower-case, no port) can never be contacted, or None when its form is fine."""
    if not host:
        return "the URL has no host"
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    else:
        return f"{host} is an IP address, not a platform's name"
    if host == "localhost" or host.endswith(_INTERNAL_SUFFIXES):
        return f"{host} is a local or internal name"
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return f"{host} is not a public host name"
    if not _TLD.match(labels[-1]):
        return f"{host} is not a public host name (numeric or odd top-level label)"
    return None


def _hostname(value: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return None
    try:
        host = urlsplit(text if "://" in text else "https://" + text).hostname
    except ValueError:
        return None
    host = (host or "").rstrip(".")
    return host if host and host_problem(host) is None else None


def allowed_hosts_from(
    base_urls: Iterable[str | None], intake: Mapping[str, Any]
) -> frozenset[str]:
    """Hosts of configured sources plus ``[intake] fetch_hosts``; bad ones are logged, skipped."""
    hosts: set[str] = set()
    for url in base_urls:
        if url:
            host = _hostname(url)
            if host is None:
                log.warning("resolve: source base_url %r is not a fetchable public host", url)
            else:
                hosts.add(host)
    extra = intake.get("fetch_hosts", [])
    if isinstance(extra, str) or not isinstance(extra, list):
        log.warning("config.toml [intake] fetch_hosts must be a list of host names; ignored")
        extra = []
    for entry in extra:
        host = _hostname(entry) if isinstance(entry, str) else None
        if host is None:
            log.warning("config.toml [intake] fetch_hosts: %r is not a public host name; "
                        "ignored", entry)
        else:
            hosts.add(host)
    return frozenset(hosts)


def check_url(url: str, allowed_hosts: AbstractSet[str]) -> tuple[SplitResult, str] | str:
    """(parts, host) of a URL we may contact, else the reason it is refused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as err:
        return f"not a valid URL ({err})"
    if parts.scheme.lower() != "https":
        return f"only https URLs are fetched, not {parts.scheme or 'a relative URL'!r}"
    if parts.username is not None or parts.password is not None:
        return "URLs with credentials in them are not fetched"
    if port not in (None, 443):
        return f"port {port} is not fetched (only 443)"
    host = (parts.hostname or "").rstrip(".")
    problem = host_problem(host)
    if problem is not None:
        return problem
    if host not in WELL_KNOWN and host not in allowed_hosts:
        return (f"{host} is neither a well-known platform nor the host of a configured source "
                "(add it to [intake] fetch_hosts in config.toml to allow it)")
    return parts, host


async def system_resolve(host: str) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, 443, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


_NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (and reaches) when it is a translation or tunnel
    address: IPv4-mapped, NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::), Teredo. Such an
    address is "global" as IPv6, yet 64:ff9b::7f00:1 is 127.0.0.1 through the NAT64 gateway."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global, and so is any IPv4 address embedded in it."""
    if not ip.is_global:
        return False
    inner = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
    return inner is None or inner.is_global


async def resolves_public(host: str, resolve: Resolver = system_resolve) -> str | None:
    """None when every address of ``host`` is public, else why not.

    A check before the request, not a pin on the connection (the resolver may answer differently
    a moment later); it stops a trusted name that plainly points inside, which is the likely
    mistake. Well-known platform hosts are not checked: their names are not ours to worry about.
    """
    try:
        addresses = await resolve(host)
    except OSError as err:
        return f"{host} does not resolve ({err})"
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            return f"{host} resolves to an unreadable address {address!r}"
        if not is_public(ip):
            return f"{host} resolves to a non-public address {ip}"
    return None if addresses else f"{host} has no addresses"
