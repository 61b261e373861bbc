"""IPv6 addresses that carry an IPv4 one (NAT64, 6to4, IPv4-mapped) are judged by the IPv4
address they reach: 64:ff9b::7f00:1 is 127.0.0.1 through a NAT64 gateway."""

from __future__ import annotations

import pytest

from connectors.resolve.hosts import resolves_public


@pytest.mark.parametrize("address", [
    "64:ff9b::7f00:1",  # NAT64 well-known prefix -> 127.0.0.1
    "64:ff9b::a00:1",  # -> 10.0.0.1
    "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 prefix -> 169.254.169.254
    "2002:7f00:1::1",  # 6to4 -> 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 -> 192.168.1.1
    "::ffff:127.0.0.1",
])
async def test_embedded_private_ipv4_is_refused(address: str) -> None:
    async def resolve(_host: str) -> list[str]:
        return [address]

    problem = await resolves_public("forum.example.org", resolve)
    assert problem is not None and "non-public" in problem


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2606:4700:4700::1111", "8.8.8.8"])
async def test_public_addresses_still_pass(address: str) -> None:
    async def resolve(_host: str) -> list[str]:
        return [address]

    assert await resolves_public("forum.example.org", resolve) is None
