"""Suite-wide fixtures: settings, a migrated database (SQLite, or PostgreSQL when
HATE_MONITOR_TEST_DATABASE_URL is set), a fast fake scorer, and headless Chromium."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from monitor.config import Settings, load_settings
from monitor.storage.db import Database
from tests.support.browser import ARTIFACTS, chromium

# Fixtures of tests/support/, shared by the whole suite (each defined once, there).
from tests.support.cases import item_ids, people, world  # noqa: F401
from tests.support.desk import client, make_client, populated  # noqa: F401
from tests.support.fakes import FakeScorer
from tests.support.intake import make_user, mod_a, mod_b, officer, web_client  # noqa: F401
from tests.support.sources import connector, users  # noqa: F401

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _pg_url() -> str:
    url = os.environ.get("HATE_MONITOR_TEST_DATABASE_URL", "")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


PG_URL = _pg_url()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with the reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is only beside CI and developer checkouts)")
    return path


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    # A fresh PostgreSQL database per test, dropped afterwards.
    name = f"hm_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield str(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(None, env={}).with_overrides(
        database__url=database_url,
        examples__load_on_first_run=False,
    )


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def fake_scorer() -> FakeScorer:
    return FakeScorer()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    async with chromium() as b:
        yield b


@pytest.fixture
def artifacts() -> Path:
    """Where browser tests leave screenshots for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
