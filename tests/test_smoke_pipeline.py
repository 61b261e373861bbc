from __future__ import annotations

from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from tests.support.fakes import FakeScorer, make_post


def test_pipeline_stores_and_queues(db, fake_scorer: FakeScorer) -> None:
    posts = [make_post(1), make_post(2, "kill all immigrants, vermin")]
    r = process_posts_sync(
        db, fake_scorer, posts, weights=PriorityWeights(), origin="import", actor="t"
    )
    assert (r.new, r.duplicate) == (2, 0)
    r2 = process_posts_sync(
        db, fake_scorer, posts, weights=PriorityWeights(), origin="import", actor="t"
    )
    assert (r2.new, r2.duplicate) == (0, 2)
