"""Heads fitted by sklearn and run in numpy."""

from __future__ import annotations

import numpy as np
import pytest

from models import heads
from models.classifier import HateClassifier, TrainOptions
from tests.models.fakes import FakeEmbedder


def _blobs(seed: int = 0) -> tuple[heads.Array, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = np.vstack([rng.normal(-1.0, 1.0, (200, 6)), rng.normal(1.0, 1.0, (200, 6))])
    return x.astype(np.float32), np.array([0] * 200 + [1] * 200)


def test_averaged_mlps_give_the_mean_of_their_logits() -> None:
    x, y = _blobs()
    members = [heads.fit_binary(x, y, None, kind="mlp", hidden=8, seed=s) for s in (1, 2, 3)]
    packed = heads.average(members)
    mean = np.mean([heads.forward(x, m)[:, 0] for m in members], axis=0)
    np.testing.assert_allclose(heads.forward(x, packed)[:, 0], mean, rtol=1e-4, atol=1e-4)
    assert packed[0][0].shape == (6, 24) and packed[1][0].shape == (24, 1)
    # fit_binary(members=k) is that average, each member from its own seed.
    again = heads.fit_binary(x, y, None, kind="mlp", hidden=8, seed=5, members=3)
    assert again[0][0].shape == (6, 24)
    with pytest.raises(ValueError, match="members"):
        heads.fit_binary(x, y, None, kind="mlp", members=0)
    with pytest.raises(ValueError, match="one hidden layer"):
        heads.average([[(x[:1].T, np.zeros(1, np.float32))]])


def test_threat_head_weighs_rows_as_the_hate_head_does() -> None:
    # Identical embeddings labelled both ways: whichever label weighs more decides.
    x, y = _blobs(1)
    # Away from both blobs (on an axis that does not separate them).
    clash = np.repeat(np.array([[4.0, -4.0, 4.0, -4.0, 4.0, -4.0]], np.float32), 40, axis=0)
    xs = np.vstack([x, clash])
    threats: list[int | None] = [*y.tolist(), *([1] * 20 + [0] * 20)]
    calib = np.zeros(len(xs), dtype=bool)
    calib[::5] = True

    def p_at_clash(threat_weight: float) -> float:
        w = np.ones(len(xs))
        w[len(x):len(x) + 20] = threat_weight
        clf = HateClassifier(FakeEmbedder(6), options=TrainOptions(threat_hidden=32, seed=3,
                                                                   threat_members=2))
        layers, (a, b) = clf._fit_threat(xs, threats, calib, w)
        return float(heads.sigmoid(a * heads.forward(clash[:1], layers)[:, 0] + b)[0])

    assert p_at_clash(8.0) > 0.5 > p_at_clash(1 / 8)
