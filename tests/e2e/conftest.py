"""The review desk on a real local server, for the browser tests (``tests/browser.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from monitor.config import Settings
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.browser import serve
from tests.support import FakeScorer


@pytest.fixture
async def server(settings: Settings, db: Database, fake_scorer: FakeScorer
                 ) -> AsyncIterator[str]:
    async with serve(create_app(settings, db=db, scorer=fake_scorer)) as url:
        yield url
