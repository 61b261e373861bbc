"""Scoring throughput: ``HateClassifier.predict`` against plain ``SentenceTransformer.encode``.

Same texts, same process, same model weights. The classifier adds text normalisation, language
detection, reading posts of several sentences sentence by sentence as well as whole, four heads
and nearest-exemplar search; the target is ≥ 0.6 of plain encode of the whole posts with a cold
cache. A warm run shows what the text-hash cache gives reposts.

    python bench/bench_scoring.py [--n 512] [--repeats 2] [--posts contrast|realistic]
                                  [--quantize] [--backend onnx|torch] [--model PATH]

``--model``: another artefact directory (a previous model, to compare on the same day);
the shipped one by default. ``--backend``: what runs the classifier's encoder
(``model.backend``, default onnx); the baseline is always PyTorch's fp32
``SentenceTransformer.encode``. ``--quantize``: the classifier
with ``model.quantize`` on (dynamic int8 encoder). "encoder alone" is the classifier's encoder
without the heads (text normalisation included), on the chosen backend.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from models import load_classifier, segments
from models.classifier import HateClassifier
from models.evaluation import REALISTIC
from models.types import ENCODER_BACKENDS

CONTRAST = Path(__file__).resolve().parents[1] / "models" / "contrast" / "contrast.jsonl"


def texts(n: int, source: Path = CONTRAST) -> list[str]:
    """``n`` distinct posts spread evenly over a JSONL file of posts, so the share of posts of
    several sentences (read part by part) is the file's own."""
    base = [json.loads(line)["text"] for line in source.read_text().splitlines() if line]
    step = max(1, len(base) // n)
    out: list[str] = []
    i = 0
    while len(out) < n:  # distinct texts, so a cold run really embeds every one
        j = (i * step) % len(base)
        out.append(base[j] + ("" if i * step < len(base) else f" #{i * step // len(base)}"))
        i += 1
    return out


def best_rate(fn: Callable[[], object], n: int, repeats: int,
              before: Callable[[], None] = lambda: None) -> float:
    best = float("inf")
    for _ in range(repeats):
        before()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--posts", choices=("contrast", "realistic"), default="contrast",
                        help="contrast: our contrast set (mostly one sentence); realistic: the "
                             "frozen realistic posts (mostly two to four sentences)")
    parser.add_argument("--quantize", action="store_true",
                        help="score with the int8 encoder (model.quantize); baseline stays fp32")
    parser.add_argument("--backend", choices=ENCODER_BACKENDS, default="onnx",
                        help="what runs the classifier's encoder (model.backend)")
    parser.add_argument("--model", default=None,
                        help="artefact directory to score with (default: the shipped model)")
    args = parser.parse_args()
    sample = texts(args.n, CONTRAST if args.posts == "contrast" else REALISTIC)
    clf = load_classifier(args.model, quantize=args.quantize, backend=args.backend)
    assert isinstance(clf, HateClassifier)
    emb = clf.embedder
    st = emb.model  # type: ignore[attr-defined]
    if args.quantize and args.backend == "torch":  # its own model is the int8 one
        fp32 = load_classifier(args.model, backend="torch")
        assert isinstance(fp32, HateClassifier)
        st = fp32.embedder.model  # type: ignore[attr-defined]
    cache = emb.cache  # type: ignore[attr-defined]
    batch = emb.batch_size  # type: ignore[attr-defined]
    encoder = emb.encode_uncached  # type: ignore[attr-defined]
    clf.predict(sample[:32])  # warm up both paths (thread pools, language model)
    st.encode(sample[:32], batch_size=batch)
    # Alternate them so a noisy neighbour on a shared CPU hits all alike; best of each.
    plain = cold = alone = 0.0
    for _ in range(args.repeats):
        plain = max(plain, best_rate(
            lambda: st.encode(sample, batch_size=batch, normalize_embeddings=True), args.n, 1))
        alone = max(alone, best_rate(lambda: encoder(sample), args.n, 1))
        cold = max(cold, best_rate(lambda: clf.predict(sample), args.n, 1, before=cache.clear))
    warm = best_rate(lambda: clf.predict(sample), args.n, args.repeats)
    several = sum(bool(segments.parts(t)) for t in sample)
    print(f"texts: {args.n} ({several} of several sentences), model {clf.model_version}, "
          f"batch {batch}, encoder {args.backend} {'int8' if args.quantize else 'fp32'}")
    print(f"SentenceTransformer.encode     {plain:9.1f} texts/s  (PyTorch fp32: the baseline)")
    print(f"encoder alone ({args.backend})    {alone:9.1f} texts/s  ratio {alone / plain:.2f}")
    print(f"HateClassifier.predict (cold)  {cold:9.1f} texts/s  ratio {cold / plain:.2f}")
    print(f"HateClassifier.predict (warm)  {warm:9.1f} texts/s  ratio {warm / plain:.2f}")


if __name__ == "__main__":
    main()
