"""Mastodon: a local account's host keeps its port, and a status missing a field is kept."""

from __future__ import annotations

import json
from typing import Any

import pytest

from connectors.base import MalformedResponse
from connectors.mastodon.connector import MastodonConnector
from connectors.mastodon.parse import full_acct
from tests.connectors.conftest import FakeSleep, Reply, collect_pages
from tests.connectors.mastodon.test_connector import TAG_PATH, spec, status


@pytest.fixture
def connector(fake_sleep: FakeSleep) -> MastodonConnector:
    return MastodonConnector(sleep=fake_sleep, clock=fake_sleep.clock)


@pytest.mark.parametrize(("url", "handle"), [
    ("http://localhost:3000/@user", "user@localhost:3000"),
    ("https://example.social/@user", "user@example.social"),
    ("https://Example.Social:443/@user", "user@example.social:443"),
    ("not a url", "user"),
])
def test_a_local_account_names_its_instance_with_the_port(url: str, handle: str) -> None:
    assert full_acct({"acct": "user", "url": url}) == handle


async def test_statuses_from_an_instance_on_a_port(
    fake_platform: Any, http_session: Any, connector: MastodonConnector
) -> None:
    platform = await fake_platform()
    local = status(2, account={"id": "2", "acct": "alice", "username": "alice",
                               "url": "http://localhost:3000/@alice"})
    remote = status(1, account={"id": "1", "acct": "bob@other.example:8443", "username": "bob",
                                "url": "https://other.example:8443/@bob"})
    platform.on(TAG_PATH, Reply(body=[local, remote]))

    (page,) = await collect_pages(connector, http_session, spec(platform))

    assert [p.author_handle for p in page.posts] == ["alice@localhost:3000",
                                                     "bob@other.example:8443"]


async def test_a_status_missing_its_account_is_kept_to_read_again(
    fake_platform: Any, http_session: Any, connector: MastodonConnector
) -> None:
    platform = await fake_platform()
    broken = status(2)
    del broken["account"]
    platform.on(TAG_PATH, Reply(body=[broken, status(1)]))

    (page,) = await collect_pages(connector, http_session, spec(platform))

    assert len(page.posts) == 1
    (kept,) = page.unreadable
    assert kept.key == broken["id"] and "account" in kept.reason
    assert json.loads(kept.raw) == broken and kept.response_url
    # The mark covers it (it is kept, not owed to the next walk)...
    assert json.loads(page.cursor or "")["since"] == broken["id"]
    with pytest.raises(MalformedResponse):
        connector.reparse(kept, spec(platform))
    # ...and a parser that can read it later gets the post from the kept raw alone.
    fixed = json.dumps(dict(broken, account=status(2)["account"])).encode()
    (post,) = connector.reparse(type(kept)(fixed, kept.reason), spec(platform))
    assert post.post_id == broken["uri"]
