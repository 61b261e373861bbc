"""Small heads on top of frozen embeddings, stored as plain arrays and run in numpy.

sklearn fits them; inference never needs sklearn objects, so nothing is pickled. A head is a
stack of dense layers (ReLU between them): a logistic regression is a stack of one.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float32]
Layers = list[tuple[Array, Array]]  # (weight [in, out], bias [out])


def forward(x: Array, layers: Layers) -> Array:
    """Logits of a dense ReLU stack."""
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w + b
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h.astype(np.float32)


def sigmoid(z: npt.NDArray[Any]) -> Array:
    out: Array = (1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))).astype(np.float32)
    return out


def softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out: Array = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def fit_binary(
    x: Array, y: npt.NDArray[np.int64], weight: npt.NDArray[np.float64] | None, *,
    kind: str = "logistic", c: float = 1.0, hidden: int = 256, seed: int = 0, members: int = 1,
) -> Layers:
    """Fit a binary head; returns layers whose last output is one logit.

    An MLP head may be ``members`` MLPs, each from its own seed, stored as one (``average``):
    one MLP's early-stopping split and initialisation move its scores enough to reorder the
    queue, and their mean does not depend on either.
    """
    if members < 1:
        raise ValueError(f"members={members}: at least 1")
    if kind == "mlp" and members > 1:
        # 1000 apart, so no member repeats one of a neighbouring --seed's run.
        return average([fit_binary(x, y, weight, kind="mlp", c=c, hidden=hidden,
                                   seed=seed + 1000 * i) for i in range(members)])
    if kind == "logistic":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        lr.fit(x, y, sample_weight=weight)
        return [(lr.coef_.T.astype(np.float32), lr.intercept_.astype(np.float32))]
    if kind == "mlp":
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier

        # MLPClassifier takes no sample weights: emulate them by resampling rows in proportion.
        idx = _weighted_rows(len(y), weight, seed)
        mlp = MLPClassifier(hidden_layer_sizes=(hidden,), alpha=1e-3 / c, max_iter=60,
                            early_stopping=True, random_state=seed)
        with warnings.catch_warnings():
            # max_iter is a deliberate CPU budget; stopping there is expected, not a fault.
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp.fit(x[idx], y[idx])
        return [(w.astype(np.float32), b.astype(np.float32))
                for w, b in zip(mlp.coefs_, mlp.intercepts_, strict=True)]
    raise ValueError(f"unknown head kind {kind!r}; expected 'logistic' or 'mlp'")


def balanced(weight: npt.NDArray[np.float64], y: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """``weight`` rescaled per class so each of the two classes carries half the total."""
    w = weight.astype(np.float64)  # a copy: the caller's weights stay as they were
    for cls in (0, 1):
        w[y == cls] *= 0.5 * w.sum() / max(w[y == cls].sum(), 1e-9)
    return w


def average(members: Sequence[Layers]) -> Layers:
    """One-hidden-layer MLPs as one wider MLP whose logit is the mean of theirs.

    The hidden units sit side by side and the output layer is linear, so the packed head runs
    through ``forward`` like any other and the artefact format does not change."""
    if not members or any(len(m) != 2 for m in members):
        raise ValueError("average() takes one or more MLPs of exactly one hidden layer")
    k = len(members)
    w1 = np.hstack([m[0][0] for m in members]).astype(np.float32)
    b1 = np.concatenate([m[0][1] for m in members]).astype(np.float32)
    w2 = (np.vstack([m[1][0] for m in members]) / k).astype(np.float32)
    b2 = np.mean([m[1][1] for m in members], axis=0).astype(np.float32)
    return [(w1, b1), (w2, b2)]


def _weighted_rows(n: int, weight: npt.NDArray[np.float64] | None, seed: int) -> npt.NDArray[Any]:
    if weight is None:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    reps = weight / weight.mean()
    whole = np.floor(reps).astype(int)
    extra = rng.random(n) < (reps - whole)
    return np.repeat(np.arange(n), whole + extra.astype(int))


def fit_multilabel(x: Array, y: npt.NDArray[np.int64], *, c: float = 1.0, seed: int = 0) -> Layers:
    """One logistic regression per column of ``y``; a column with one class gets a constant."""
    from sklearn.linear_model import LogisticRegression

    d, k = x.shape[1], y.shape[1]
    w = np.zeros((d, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    for j in range(k):
        col = y[:, j]
        if col.min() == col.max():
            b[j] = 8.0 if col[0] else -8.0
            continue
        lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
        lr.fit(x, col)
        w[:, j] = lr.coef_[0]
        b[j] = lr.intercept_[0]
    return [(w, b)]


def fit_multiclass(
    x: Array, y: npt.NDArray[np.int64], n_classes: int, *, c: float = 1.0, seed: int = 0
) -> Layers:
    from sklearn.linear_model import LogisticRegression

    present = np.unique(y)
    lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=seed)
    lr.fit(x, y)
    w = np.zeros((x.shape[1], n_classes), dtype=np.float32)
    b = np.full(n_classes, -20.0, dtype=np.float32)
    if len(present) == 2:  # sklearn collapses two classes into one column
        w[:, present[1]] = lr.coef_[0]
        b[present[1]] = lr.intercept_[0]
        b[present[0]] = 0.0
    else:
        for row, cls in enumerate(lr.classes_):
            w[:, cls] = lr.coef_[row]
            b[cls] = lr.intercept_[row]
    return [(w, b)]


def fit_platt(scores: Array, y: npt.NDArray[np.int64]) -> tuple[float, float]:
    """Platt scaling: p = sigmoid(a * score + b), fitted on held-out scores."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(scores.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def pack(prefix: str, layers: Layers) -> dict[str, Array]:
    out: dict[str, Array] = {}
    for i, (w, b) in enumerate(layers):
        out[f"{prefix}.{i}.weight"] = w
        out[f"{prefix}.{i}.bias"] = b
    return out


def unpack(prefix: str, arrays: dict[str, Any]) -> Layers:
    layers: Layers = []
    i = 0
    while f"{prefix}.{i}.weight" in arrays:
        layers.append((np.asarray(arrays[f"{prefix}.{i}.weight"], dtype=np.float32),
                       np.asarray(arrays[f"{prefix}.{i}.bias"], dtype=np.float32)))
        i += 1
    if not layers:
        raise KeyError(f"no layers named {prefix}.* in the weights")
    return layers


def stack_rows(rows: Sequence[Array]) -> Array:
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)
