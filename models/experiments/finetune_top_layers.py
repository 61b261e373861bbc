"""Does SetFit-style contrastive tuning of MiniLM's top layers pay? Measure, don't ship.

``python -m models.experiments.finetune_top_layers --pairs 3000`` tunes encoder layers 4-5 of
the bundled all-MiniLM-L6-v2 (CosineSimilarityLoss-style: cosine of a pair regressed to 1 for
same label, 0 otherwise; max_seq_length 64, batch 16, AdamW 2e-5, one pass, seed 13, CPU) on
pairs drawn from the corpora's training rows only (never held-out test rows, never the contrast
set, so the contrast CV stays clean), then runs the normal training and prints the contrast CV
and held-out figures to compare with the frozen body. Writes the tuned layers' weights to
``--delta`` (safetensors) for inspection. Measured 2026-11-28 (221 s tuning on 2 shared cores):
see the v2 model card's "Not shipped" note.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from models.classifier import TrainOptions
from models.data.base import Example, dedupe
from models.embedding import Embedder, Matrix
from models.normalise import normalise
from models.training import TrainPlan, _heldout_keys, _key, read_contrast, read_corpora, train

TUNED_LAYERS = (4, 5)


def pairs_from(rows: Sequence[Example], n: int, seed: int) -> list[tuple[str, str, float]]:
    rng = random.Random(seed)
    pos = [r for r in rows if r.label == 1]
    neg = [r for r in rows if r.label == 0]
    out: list[tuple[str, str, float]] = []
    for _ in range(n):
        a = rng.choice(pos + neg)
        same = rng.random() < 0.5
        pool = (pos if a.label else neg) if same else (neg if a.label else pos)
        out.append((normalise(a.text), normalise(rng.choice(pool).text), float(same)))
    return out


def tune(model: Any, pairs: Sequence[tuple[str, str, float]], batch: int, seed: int) -> None:
    import torch

    model.max_seq_length = 64
    for p in model.parameters():
        p.requires_grad = False
    layers = model[0].auto_model.encoder.layer
    params = [p for i in TUNED_LAYERS for p in layers[i].parameters()]
    for p in params:
        p.requires_grad = True
    opt = torch.optim.AdamW(params, lr=2e-5)
    model.train()
    for i in tqdm(range(0, len(pairs), batch), desc="contrastive tuning", unit="batch"):
        chunk = pairs[i:i + batch]
        ea = model(model.tokenize([c[0] for c in chunk]))["sentence_embedding"]
        eb = model(model.tokenize([c[1] for c in chunk]))["sentence_embedding"]
        cos = torch.nn.functional.cosine_similarity(ea, eb)
        loss = torch.nn.functional.mse_loss(cos, torch.tensor([c[2] for c in chunk]))
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]  # torch's stubs leave it untyped
        opt.step()
    model.eval()


class _Tuned:
    """The tuned model as an ``Encoder`` under its own name (so caches never mix)."""

    def __init__(self, embedder: Embedder) -> None:
        self._e = embedder

    @property
    def name(self) -> str:
        return "all-MiniLM-L6-v2-top2-tuned-experiment"

    @property
    def dimension(self) -> int:
        return self._e.dimension

    def encode(self, texts: Sequence[str]) -> Matrix:
        return self._e.encode_uncached(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=Path("..") / "shared" / "data")
    ap.add_argument("--pairs", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--cache-dir", type=Path, default=None)
    ap.add_argument("--delta", type=Path, default=Path("tuned-delta.safetensors"))
    args = ap.parse_args()
    rows = dedupe(read_corpora(args.data_dir, None, args.seed))
    drop = _heldout_keys(args.data_dir) | {_key(r.text) for r in read_contrast()}
    rows = [r for r in rows if _key(r.text) not in drop]
    import torch

    torch.manual_seed(args.seed)  # before loading: model construction draws from the RNG
    torch.set_num_threads(2)
    embedder = Embedder()
    started = time.monotonic()
    tune(embedder.model, pairs_from(rows, args.pairs, args.seed), 16, args.seed)
    print(f"tuning seconds {time.monotonic() - started:.1f}")
    from safetensors.torch import save_file

    prefixes = tuple(f"encoder.layer.{i}." for i in TUNED_LAYERS)
    state = embedder.model[0].auto_model.state_dict()
    save_file({k: v.contiguous() for k, v in state.items() if k.startswith(prefixes)},
              str(args.delta))
    clf = train(TrainPlan(args.data_dir, TrainOptions(), cache_dir=args.cache_dir,
                          seed=args.seed), _Tuned(embedder))
    cv = clf.metrics["contrast_cv"]
    print(f"contrast CV accuracy {cv['accuracy']} ROC-AUC {cv['roc_auc']}")
    for name, m in sorted(cv["by_category"].items()):
        print(f"  {name:32s} n={m['n']:4d} accuracy {m['accuracy']}")
    for name, m in clf.metrics["heldout"].items():
        print(f"{name}: ROC-AUC {m['roc_auc']} F1 {m['f1']} accuracy {m['accuracy']}")


if __name__ == "__main__":
    main()
