"""The serve process's start-up hints (``review_ui.app``)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from monitor.config import Settings
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from review_ui.app import _queue_provenance, create_app
from tests.support.fakes import FakeScorer, make_post


async def _start_up(settings: Settings, db: Database, live: str) -> None:
    app = create_app(settings, db=db, scorer=FakeScorer(live))
    ctx = _queue_provenance(app)
    await ctx.__anext__()
    # The check runs in the background once the model is there: let it finish.
    started = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    await asyncio.wait(started, timeout=10)
    with pytest.raises(StopAsyncIteration):
        await ctx.__anext__()


async def test_start_up_warns_when_an_earlier_model_ranks_open_items(
        settings: Settings, db: Database, caplog: pytest.LogCaptureFixture) -> None:
    posts = [make_post(i, t) for i, t in enumerate(["kill the immigrants", "nice market"])]
    process_posts_sync(db, FakeScorer("old-1"), posts, weights=PriorityWeights(),
                       origin="import", actor="test")
    with caplog.at_level(logging.WARNING, logger="review_ui.app"):
        await _start_up(settings, db, "old-1")
        assert not [r for r in caplog.records if "earlier models" in r.getMessage()]
        await _start_up(settings, db, "new-2")
    said = [r.getMessage() for r in caplog.records if "earlier models" in r.getMessage()]
    assert said == ["2 open queue items are ranked by earlier models (old-1), not the live "
                    "new-2; run 'hate-monitor model rescore'"]
