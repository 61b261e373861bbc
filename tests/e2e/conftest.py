"""The review desk on a real local server, for the browser tests (``tests/support/browser.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from monitor.config import Settings
from monitor.storage.db import Database
from tests.support.browser import serve
from tests.support.fakes import FakeScorer
from tests.support.web import build_app


@pytest.fixture
async def server(settings: Settings, db: Database, fake_scorer: FakeScorer
                 ) -> AsyncIterator[str]:
    async with serve(build_app(settings, db, fake_scorer)) as url:
        yield url
