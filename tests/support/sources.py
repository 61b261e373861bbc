"""Fixtures for the sources pages: users, sources with and without a lawful basis, a client,
and a fake connector so "run now" never reaches a real platform."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest

from connectors.base import Page, SourceSpec
from monitor.sources.basis import Basis
from monitor.sources.store import add_source
from monitor.storage.db import Database
from monitor.storage.types import utcnow
from tests.support.desk import make_users
from tests.support.fakes import make_post

HOSTILE_TEXT = '<script>alert("x")</script>'


def today() -> date:
    return utcnow().date()


def good_basis(days_left: int = 100) -> Basis:
    return Basis(reference="DSA-2026-17", scope="public posts naming the town",
                 approved_by="Insp. Khan", approved_on=today() - timedelta(days=30),
                 expires_on=today() + timedelta(days=days_left))


def make_source(db: Database, name: str, *, basis: Basis | None = None, target: str = "#town",
                **kw: Any) -> int:
    with db.write() as s:
        src = add_source(s, name=name, connector="mastodon", target=target, actor="test",
                         basis=basis, **kw)
        return src.id or 0


def expire(db: Database, source_id: int) -> None:
    """A basis that was valid once and ran out (Basis itself refuses to be built expired)."""
    from monitor.storage.tables.sources import Source

    with db.write() as s:
        src = s.get(Source, source_id)
        assert src is not None
        src.basis_approved_on = today() - timedelta(days=400)
        src.basis_expires_on = today() - timedelta(days=2)
        s.add(src)


class FakeConnector:
    """Yields one page of posts, the first of which is hostile, and records each call."""

    name = "mastodon"

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def pages(self, session: aiohttp.ClientSession, source: SourceSpec,
                    cursor: str | None, *, backfill_limit: int) -> AsyncIterator[Page]:
        self.calls.append(source.target)
        posts = (make_post(9001, "muslims are scum, get out of our town"),
                 make_post(9002, "a lovely day at the park in town"))
        yield Page(posts=posts, cursor="page-2")


@pytest.fixture
def connector(monkeypatch: pytest.MonkeyPatch) -> FakeConnector:
    fake = FakeConnector()
    # monitor.sweeps.sweep imported the function by name, so that is the binding to replace.
    monkeypatch.setattr("monitor.sweeps.sweep.get_connector", lambda name: fake)
    return fake


@pytest.fixture
def users(db: Database) -> None:
    make_users(db)
