"""Helpers for connector tests that check the posts of pages and what a sweep stores: fixture
readers, id lists, a no-loss check across interrupted runs, and a sweep into a test database."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from connectors.base import Connector, Page
from connectors.post import Post
from monitor.config import Settings
from monitor.sources.basis import Basis
from monitor.sources.store import add_source
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.sources import Source
from monitor.sweeps.sweep import SweepResult, sweep_source
from tests.support.fakes import FakeScorer

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SHARED_FIXTURES = REPO / ".." / "shared" / "fixtures"


def fixture_text(platform: str, name: str) -> str:
    return (FIXTURES / platform / name).read_text(encoding="utf-8")


def fixture_obj(platform: str, name: str) -> Any:
    return json.loads((FIXTURES / platform / name).read_bytes())


def shared_file(platform: str, name: str) -> Path:
    """A recorded real response from ../shared/fixtures, or skip with the reason."""
    path = (SHARED_FIXTURES / platform / name).resolve()
    if not path.exists():
        pytest.skip(f"recorded fixture {path} is absent (../shared is only present beside CI and "
                    "developer checkouts)")
    return path


def clone(obj: Any) -> Any:
    return copy.deepcopy(obj)


def posts_of(pages: Iterable[Page]) -> list[Post]:
    return [post for page in pages for post in page.posts]


def ids_of(pages: Iterable[Page]) -> list[str]:
    return [post.post_id for post in posts_of(pages)]


def assert_no_loss(expected: Sequence[str], *runs: Iterable[Page]) -> None:
    """Every expected id was read by one of the runs (duplicates across runs are allowed)."""
    seen = {pid for run in runs for pid in ids_of(run)}
    missing = [pid for pid in expected if pid not in seen]
    assert not missing, f"lost {missing}"


# --------------------------------------------------------------------------- end-to-end sweeps


async def sweep_into_db(
    db: Database, settings: Settings, connector: Connector, *, name: str, connector_name: str,
    target: str, base_url: str, backfill_limit: int = 200, retry_skipped: bool = False,
) -> SweepResult:
    """Register a source (with a lawful basis) and run one real sweep of it into the database."""
    today = date.today()
    basis = Basis("OP-TEST/2026/1", "public posts in the test community", "Insp. Test",
                  today - timedelta(days=1), today + timedelta(days=30))
    with db.write() as session:
        exists = session.exec(select(Source).where(Source.name == name)).first() is not None
        if not exists:
            add_source(session, name=name, connector=connector_name, target=target, actor="test",
                       basis=basis, base_url=base_url, backfill_limit=backfill_limit)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        return await sweep_source(db, FakeScorer(), http, name, settings=settings,
                                  connector=connector, retry_skipped=retry_skipped)


def captures(db: Database) -> list[Capture]:
    with db.read() as session:
        query = select(Capture).order_by(Capture.id)  # type: ignore[arg-type]
        return list(session.exec(query).all())
