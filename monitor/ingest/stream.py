"""Many batches through the pipeline with scoring and storing overlapped.

While batch N is written (one transaction, ``pipeline.store_scored``) batch N+1 is scored: the
model and the database use different resources, and torch and the database drivers release
the GIL, so on two cores the writes cost the model little. One writer thread, one batch in
flight: batches are stored in order, each whole or not at all, and a batch's posts that batch
N turns out to have stored are counted as duplicates by N+1's write (``store_batch`` checks
again inside its transaction); they were scored for nothing, which is all the overlap costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from connectors.post import Post
from models.types import Scorer
from monitor.ingest.pipeline import BatchResult, score_new, store_scored
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database


def process_stream_sync(
    db: Database,
    scorer: Scorer,
    batches: Iterable[Sequence[Post]],
    *,
    weights: PriorityWeights,
    origin: str,
    actor: str,
    source_id: int | None = None,
    retention_days: int = 30,
    shadows: Sequence[Scorer] = (),
) -> Iterator[BatchResult]:
    """Score and store each batch; yields each batch's result, in order, once it is committed.

    Blocking (the model runs in the calling thread, the writes in one writer thread). A failed
    write is raised at the next yield; the batches before it stay stored."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-writer") as writer:
        pending: Future[BatchResult] | None = None
        for posts in batches:
            predictions = score_new(db, scorer, posts)
            if pending is not None:
                yield pending.result()
            pending = writer.submit(
                store_scored, db, list(posts), predictions, model_version=scorer.model_version,
                weights=weights, origin=origin, actor=actor, source_id=source_id,
                retention_days=retention_days, shadows=shadows,
            )
        if pending is not None:
            yield pending.result()
