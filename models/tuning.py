"""LoRA adapters for the bundled sentence encoder, trained on CPU for the hate task.

Frozen MiniLM embeddings match topic, not grammar: "Muslims are vermin" and "Muslims are not
vermin" sit close together, and no head on top can separate what the encoder has merged. A
low-rank adapter (Hu et al. 2021) on every attention and feed-forward projection lets the
encoder learn negation, quotation and target from labelled rows, while the repo ships only the
small A and B matrices (a few MB), never a copy of the base model.

Training is a multi-task classification run (p(hate) for every row, p(threat against a
protected group) and the target strands where the row says), with a throwaway linear head on
the normalised sentence embedding; the heads the classifier actually uses are refitted
afterwards on the adapted embeddings. Deterministic for a seed on one machine; CPU only; a
progress bar per batch.

The adapter merges into the base weights at load time (``W += B @ A``), so scoring costs the
same as the plain model.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from models.artefact import content_id

# Every dense projection in a BERT layer: the attention's four and the feed-forward's two.
TARGETS: tuple[str, ...] = (
    "attention.self.query", "attention.self.key", "attention.self.value",
    "attention.output.dense", "intermediate.dense", "output.dense",
)
SUFFIX_A = ".lora_a"
SUFFIX_B = ".lora_b"

Adapter = dict[str, npt.NDArray[np.float32]]


class AdapterError(ValueError):
    """An adapter does not fit the encoder it is applied to."""


@dataclass(frozen=True, slots=True)
class TuneOptions:
    """How the adapter is trained; checked up front so a typo fails before a long run."""

    rank: int = 16
    alpha: float = 16.0
    lr: float = 1e-3
    head_lr: float = 5e-3
    # Three passes: on the development posts the second lifted queue-order ROC-AUC from 0.923 to
    # 0.940 (seed 13), the third from 0.945 to 0.948 (seed 14), with the held-out corpora up
    # too (README, "What moved it"; docs/MODEL_LOG.md). A fourth lowered the frozen set's
    # queue order at both seeds tried (docs/MODEL_LOG.md), so three stays.
    epochs: int = 3
    batch_size: int = 32
    max_tokens: int = 64
    # Twice this raised the development queue order but marked one threat fewer and lowered
    # the held-out corpora (docs/MODEL_LOG.md), so the threat task weighs what hate weighs.
    threat_weight: float = 1.0
    # Which group a text is about: kept as a task so tuning for hate does not wash out the
    # group identity the strand head reads from the same embedding.
    strand_weight: float = 0.5
    seed: int = 13

    def __post_init__(self) -> None:
        if not 1 <= self.rank <= 64:
            raise ValueError(f"rank={self.rank}: use 1-64")
        if self.alpha <= 0 or self.lr <= 0 or self.head_lr <= 0:
            raise ValueError("alpha, lr and head_lr must be > 0")
        if self.epochs < 1 or self.batch_size < 1 or self.max_tokens < 8:
            raise ValueError("epochs >= 1, batch_size >= 1 and max_tokens >= 8 are required")
        if self.threat_weight < 0 or self.strand_weight < 0:
            raise ValueError("threat_weight and strand_weight must be >= 0")


@dataclass(frozen=True, slots=True)
class TuneRow:
    text: str  # already normalised the way the embedder will see it
    hateful: int
    threat: int | None  # 1/0 when the row says whether it is a threat; None when unknown
    weight: float = 1.0
    strands: tuple[int, ...] | None = None  # multi-hot over the strands; None when unknown


def adapter_id(adapter: Adapter) -> str:
    """A short content hash: names the adapted encoder so embedding caches never mix."""
    return content_id(adapter)


def _encoder(model: Any) -> Any:
    """The Hugging Face BERT inside a ``SentenceTransformer``."""
    return model[0].auto_model


def _targets(encoder: Any) -> list[str]:
    names = [name for name, _ in encoder.named_modules()
             if name.startswith("encoder.layer.") and name.split(".", 3)[-1] in TARGETS]
    if not names:
        raise AdapterError("no BERT-style projections found: LoRA tuning needs a BERT encoder")
    return names


def merge(model: Any, adapter: Adapter) -> None:
    """Add ``B @ A`` to each adapted projection of a ``SentenceTransformer``, in place."""
    import torch

    encoder = _encoder(model)
    modules = dict(encoder.named_modules())
    with torch.no_grad():
        for key in sorted(k for k in adapter if k.endswith(SUFFIX_A)):
            name = key[: -len(SUFFIX_A)]
            layer = modules.get(name)
            b = adapter.get(name + SUFFIX_B)
            if layer is None or b is None or not hasattr(layer, "weight"):
                raise AdapterError(f"adapter entry {name!r} has no matching projection")
            delta = torch.from_numpy(np.asarray(b, np.float32) @ np.asarray(adapter[key],
                                                                           np.float32))
            if tuple(delta.shape) != tuple(layer.weight.shape):
                raise AdapterError(f"adapter {name!r}: shape {tuple(delta.shape)} does not fit "
                                   f"the encoder's {tuple(layer.weight.shape)}")
            layer.weight += delta.to(layer.weight.dtype)


def _tokenize(model: Any, texts: list[str]) -> Any:
    # ``tokenize`` is deprecated in sentence-transformers 6 (and warnings fail the tests).
    prepare = getattr(model, "preprocess", None) or model.tokenize
    return prepare(texts)


def fit_adapter(model: Any, rows: Sequence[TuneRow], options: TuneOptions,
                *, progress: bool = True) -> Adapter:
    """Train LoRA matrices on a copy of ``model``; the caller's model is left untouched."""
    import torch
    from torch import nn

    if not rows or len({r.hateful for r in rows}) < 2:
        raise ValueError("adapter tuning needs rows of both classes")
    torch.manual_seed(options.seed)
    work = copy.deepcopy(model)
    work.max_seq_length = options.max_tokens
    for p in work.parameters():
        p.requires_grad = False
    encoder = _encoder(work)
    scale = options.alpha / options.rank
    lora: dict[str, tuple[nn.Parameter, nn.Parameter]] = {}
    for name in _targets(encoder):
        parent_name, _, attr = name.rpartition(".")
        parent = encoder.get_submodule(parent_name)
        base = getattr(parent, attr)
        a = nn.Parameter(torch.empty(options.rank, base.in_features))
        nn.init.kaiming_uniform_(a, a=math.sqrt(5))
        b = nn.Parameter(torch.zeros(base.out_features, options.rank))
        lora[name] = (a, b)
        setattr(parent, attr, _lora_class()(base, a, b, scale))
    dim = int(work.get_embedding_dimension() if hasattr(work, "get_embedding_dimension")
              else work.get_sentence_embedding_dimension())
    k = max((len(r.strands) for r in rows if r.strands is not None), default=0)
    head = nn.Linear(dim, 2 + k)
    lora_params = [p for pair in lora.values() for p in pair]
    opt = torch.optim.AdamW([{"params": lora_params, "lr": options.lr},
                             {"params": list(head.parameters()), "lr": options.head_lr}],
                            weight_decay=0.01)
    rng = np.random.default_rng(options.seed)
    batches = [
        order[i:i + options.batch_size]
        for _ in range(options.epochs)
        for order in [rng.permutation(len(rows))]
        for i in range(0, len(rows), options.batch_size)
    ]
    warmup = max(1, len(batches) // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min((step + 1) / warmup, max(0.0, (len(batches) - step) /
                                                        max(1, len(batches) - warmup))))
    work.train()
    bar = tqdm(batches, desc="tuning encoder adapter", unit="batch", disable=not progress)
    running = 0.0
    for step, idx in enumerate(bar):
        chunk = [rows[int(i)] for i in idx]
        features = _tokenize(work, [r.text for r in chunk])
        # The embedding is unit length; the fixed scale lets a small head reach sure logits.
        logits = head(work(features)["sentence_embedding"] * 10.0)
        y = torch.tensor([float(r.hateful) for r in chunk])
        w = torch.tensor([r.weight for r in chunk])
        loss = (nn.functional.binary_cross_entropy_with_logits(logits[:, 0], y, reduction="none")
                * w).sum() / w.sum()
        known = torch.tensor([r.threat is not None for r in chunk])
        if options.threat_weight and bool(known.any()):
            t = torch.tensor([float(r.threat or 0) for r in chunk])
            t_loss = nn.functional.binary_cross_entropy_with_logits(logits[:, 1], t,
                                                                    reduction="none")
            loss = loss + options.threat_weight * (t_loss * known).sum() / known.sum()
        about = [r.strands is not None and len(r.strands) == k for r in chunk]
        if k and options.strand_weight and any(about):
            sy = torch.tensor([list(r.strands or ()) for r, a in zip(chunk, about, strict=True)
                               if a], dtype=torch.float32)
            s_loss = nn.functional.binary_cross_entropy_with_logits(
                logits[torch.tensor(about)][:, 2:], sy)
            loss = loss + options.strand_weight * s_loss
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]  # torch's stubs leave it untyped
        opt.step()
        sched.step()
        value = float(loss.detach())
        running = 0.95 * running + 0.05 * value if step else value
        bar.set_postfix(loss=f"{running:.3f}")
    out: Adapter = {}
    for name, (a, b) in lora.items():
        out[name + SUFFIX_A] = a.detach().numpy().astype(np.float32)
        # Scale folded into B so merging is a plain ``W += B @ A``.
        out[name + SUFFIX_B] = (b.detach().numpy() * scale).astype(np.float32)
    return out


@functools.cache
def _lora_class() -> type:
    from torch import nn

    class LoRALinear(nn.Module):
        """``base(x) + scale · x Aᵀ Bᵀ``, with the base projection frozen."""

        def __init__(self, base: nn.Linear, a: nn.Parameter, b: nn.Parameter,
                     scale: float) -> None:
            super().__init__()
            self.base = base
            self.a = a
            self.b = b
            self.scale = scale

        def forward(self, x: Any) -> Any:
            return self.base(x) + (x @ self.a.T @ self.b.T) * self.scale

    return LoRALinear
