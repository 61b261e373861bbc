"""The SSRF rules: what a reported URL may make us contact, in production form (no test base)."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from connectors.resolve.dispatch import fetch_post_by_url, recognise
from connectors.resolve.hosts import allowed_hosts_from, check_url, resolves_public
from monitor.config import Settings
from tests.connectors.resolve.conftest import FakePlatform, fixture_json, resolve_args, resolver

ALLOWED = frozenset({"social.example", "forum.example"})


@pytest.mark.parametrize(("url", "why"), [
    ("https://127.0.0.1/@a/1", "IP address"),
    ("https://[::1]/@a/1", "IP address"),
    ("https://10.0.0.8/@a/1", "IP address"),
    ("https://192.168.1.1/post/1", "IP address"),
    ("https://169.254.169.254/latest/meta-data", "IP address"),
    ("https://127.1/@a/1", "not a public host"),
    ("https://0x7f000001/@a/1", "not a public host"),
    ("https://2130706433/@a/1", "not a public host"),
    ("https://localhost/@a/1", "local or internal"),
    ("https://metadata.google.internal/x", "local or internal"),
    ("https://printer.local/@a/1", "local or internal"),
    ("http://social.example/@a/1", "only https"),
    ("ftp://social.example/@a/1", "only https"),
    ("//social.example/@a/1", "only https"),
    ("https://unknown.example/@a/1", "neither a well-known platform"),
    ("https://social.example.evil.example/@a/1", "neither a well-known platform"),
    ("https://user:pw@social.example/@a/1", "credentials"),
    ("https://social.example:8443/@a/1", "port 8443"),
    ("https://t.me:8080/chan/1", "port 8080"),  # expected refusal; only parsed, never fetched
])
def test_refused_hosts(url: str, why: str) -> None:
    # Even a host the operator listed is refused when it is an IP literal or local.
    allowed = ALLOWED | {"127.0.0.1", "10.0.0.8", "localhost", "192.168.1.1", "printer.local"}
    reason = check_url(url, allowed)
    assert isinstance(reason, str) and why in reason


@pytest.mark.parametrize("url", [
    "https://social.example/@alice/1", "https://SOCIAL.example./@alice/1",
    # expected to be accepted; these tests only parse URLs and never fetch them
    "https://bsky.app/profile/a.example.com/post/3abc",
    "https://t.me/somechannel/5",  # expected: accepted
    "https://social.example:443/@alice/1",
])
def test_accepted_hosts(url: str) -> None:
    assert not isinstance(check_url(url, ALLOWED), str)


@pytest.mark.parametrize("url", [
    "https://bsky.app/profile/a.example.com",  # a profile, not a post
    "https://t.me/c/123/4",  # a private channel link: expected not to be a post URL
    "https://www.reddit.com/r/town/",  # expected: a subreddit, not a post
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://social.example/@alice",
    "https://social.example/about",
])
def test_not_post_urls(url: str) -> None:
    assert isinstance(recognise(url, ALLOWED), str)


def test_platform_paths_only_on_their_hosts() -> None:
    # A Mastodon-shaped path on a well-known host of another platform is not a Mastodon post.
    assert isinstance(recognise("https://t.me/@alice/1", ALLOWED), str)
    target = recognise("https://forum.example/t/x/77/3", ALLOWED)
    assert not isinstance(target, str) and target.platform == "discourse"


def test_allowed_hosts_from_sources_and_config(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        hosts = allowed_hosts_from(
            ["https://Social.Example/", None, "https://10.1.2.3", "https://localhost:3000"],
            {"fetch_hosts": ["forum.example", "https://lemmy.example/x", "127.0.0.1", 5]},
        )
    assert hosts == {"social.example", "forum.example", "lemmy.example"}
    assert "10.1.2.3" in caplog.text and "127.0.0.1" in caplog.text
    assert allowed_hosts_from([], {"fetch_hosts": "forum.example"}) == frozenset()
    assert allowed_hosts_from([], {}) == frozenset()


@pytest.mark.parametrize(("addresses", "ok"), [
    (("93.184.216.34",), True),
    (("2606:2800:220:1:248:1893:25c8:1946",), True),
    (("93.184.216.34", "10.0.0.5"), False),
    (("127.0.0.1",), False),
    (("fe80::1%eth0",), False),
    (("::ffff:192.168.0.1",), False),
    ((), False),
])
async def test_resolves_public(addresses: tuple[str, ...], ok: bool) -> None:
    assert (await resolves_public("social.example", resolver(*addresses)) is None) is ok


async def test_trusted_name_pointing_inside_is_not_fetched(
    http: aiohttp.ClientSession, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # Production form (no api_base): the name resolves to a private address, so no request.
    with caplog.at_level(logging.WARNING, logger="connectors.resolve"):
        post = await fetch_post_by_url(http, "https://social.example/@a/1",
                                       **resolve_args(settings), allowed_hosts=ALLOWED,
                                       resolve=resolver("10.0.0.5"))
    assert post is None
    assert "non-public address 10.0.0.5" in caplog.text


async def test_redirect_to_another_host_is_not_followed(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake.on("/api/v1/statuses/1", status=302,
            headers={"Location": "http://169.254.169.254/latest/meta-data"})
    fake.on("/api/v1/statuses/2", status=301, headers={"Location": "https://evil.example/x"})
    with caplog.at_level(logging.INFO, logger="connectors.resolve"):
        for n in (1, 2):
            post = await fetch_post_by_url(http, f"https://social.example/@a/{n}",
                                           **resolve_args(settings), allowed_hosts=ALLOWED,
                                           api_base=fake.url)
            assert post is None
    assert fake.paths() == ["/api/v1/statuses/1", "/api/v1/statuses/2"]
    assert "another host; not followed" in caplog.text


async def test_redirect_on_the_same_host_is_followed_a_few_times(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings
) -> None:
    status = fixture_json("mastodon", "tag_timeline.json")[0]
    fake.on("/api/v1/statuses/1", status=301, headers={"Location": "/api/v1/statuses/9"})
    fake.on("/api/v1/statuses/9", status)
    post = await fetch_post_by_url(http, "https://social.example/@a/1", **resolve_args(settings),
                                   allowed_hosts=ALLOWED, api_base=fake.url)
    assert post is not None and post.platform == "mastodon"
    fake.on("/api/v1/statuses/3", status=302, headers={"Location": "/api/v1/statuses/3"})
    assert await fetch_post_by_url(http, "https://social.example/@a/3", **resolve_args(settings),
                                   allowed_hosts=ALLOWED, api_base=fake.url) is None
    assert fake.paths().count("/api/v1/statuses/3") == 4  # the first try and three hops


async def test_unrecognised_url_contacts_nothing(
    http: aiohttp.ClientSession, fake: FakePlatform, settings: Settings
) -> None:
    for url in ("https://unknown.example/@a/1", "https://localhost/@a/1",
                "http://social.example/@a/1", "not a url at all", "https://[::1"):
        assert await fetch_post_by_url(http, url, **resolve_args(settings), allowed_hosts=ALLOWED,
                                       api_base=fake.url) is None
    assert fake.requests == []
