"""The whole training run end to end, with the fake embedder so it takes seconds."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

import models.embedding
from models import artefact
from models.classifier import HateClassifier
from models.training import (
    WRITTEN_WEIGHT,
    _weights,
    contrast_categories,
    read_contrast,
    split_holdout,
    written_groups,
)
from monitor.classifier import versions as reg
from monitor.cli.context import CliContext
from monitor.cli.model import evaluate, model, train
from monitor.config import Settings
from tests.conftest import shared_path
from tests.models.fakes import FakeEmbedder


def test_contrast_set_is_labelled_and_varied() -> None:
    rows = read_contrast()
    assert 800 <= len(rows) <= 12500
    cats = set(contrast_categories().values())
    assert {"hate_threat_individual", "hate_threat_place", "negated_threat", "violent_idiom",
            "no_target", "non_protected"} <= cats
    assert {r.label for r in rows} == {0, 1}
    assert all(r.severity in ("threat", "dehumanisation", "derogation") for r in rows if r.label)
    assert len({r.group for r in rows}) > 100


def test_written_posts_are_never_held_out_and_count_more() -> None:
    rows = read_contrast()
    written = written_groups()
    assert len(written) > 1000
    kept, held = split_holdout(rows, 0.2, seed=13)
    assert held and not any(r.group in written for r in held)
    assert {r.group for r in rows if r.group in written} <= {r.group for r in kept}
    # Same label, one written and one template row: the written one weighs WRITTEN_WEIGHT more.
    w_row = next(r for r in rows if r.group in written and r.label == 0)
    t_row = next(r for r in rows if r.group not in written and r.label == 0)
    both = _weights([w_row, t_row, next(r for r in rows if r.label == 1)])
    assert both[0] == pytest.approx(WRITTEN_WEIGHT * both[1])


@pytest.mark.shared
def test_train_command_with_decisions_registers_shadow(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = shared_path("data")
    monkeypatch.setattr(models.embedding, "Embedder", lambda *_a, **_k: FakeEmbedder(32))
    group = click.Group("hate-monitor")
    for command in (train, evaluate, model):
        group.add_command(command)
    ctx = CliContext(settings)
    out = tmp_path / "model"
    result = CliRunner().invoke(group, ["train", "--out", str(out), "--data-dir", str(data_dir),
                                        "--include-decisions", "--cv-folds", "2", "--no-tune",
                                        "--holdout", "0.2"], obj=ctx)
    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert "0 officer decisions added" in result.output
    assert "hatexplain-test: ROC-AUC" in result.output
    artefact.verify(out)
    clf = HateClassifier.load(out, FakeEmbedder(32))
    assert set(clf.metrics["heldout"]) == {"hatexplain-test", "hatemoji-test", "stormfront-test"}
    assert clf.metrics["contrast_cv"]["folds"] == 2
    held = clf.metrics["contrast_holdout"]
    assert held["fraction"] == 0.2 and held["templates"] > 0 and "negated" in held["by_category"]
    assert "contrast" in clf.training["rows_by_source"]
    card = (out / artefact.CARD).read_text()
    assert "CC BY 4.0" in card and "hatemoji-test" in card
    assert "held-out templates" in card
    assert clf.metrics["realistic"]["n"] >= 300 and "Realistic UK posts" in card
    assert clf.metrics["realistic_uk2"]["n"] >= 300 and "second frozen judge" in card
    # The judges' figures are in the card, not printed for whoever is choosing a run.
    assert "realistic posts (" not in result.output and "frozen judges" in result.output
    # The threat threshold is chosen on the development posts, which are measured too.
    chosen = clf.training["threat_threshold"]
    assert chosen["posts"] >= 300 and chosen["threats"] > 0
    assert clf.options.threat_threshold == chosen["threshold"]
    assert clf.metrics["realistic_dev"]["n"] == chosen["posts"]
    assert "development posts (" in result.output and "threat threshold" in result.output
    (row,) = reg.list_versions(ctx.database())
    assert row.role == "shadow" and row.version == clf.model_version
    # Tuning needs a real sentence-transformers encoder: a clear error, nothing written.
    refused = CliRunner().invoke(group, ["train", "--out", str(tmp_path / "tuned"),
                                         "--data-dir", str(data_dir)], obj=ctx)
    assert refused.exit_code != 0 and "needs a sentence-transformers embedder" in refused.output
    assert not (tmp_path / "tuned").exists()
    # An artefact trained --no-tune has no adapter to refit heads on.
    bare = CliRunner().invoke(group, ["train", "--out", str(tmp_path / "reused"), "--data-dir",
                                      str(data_dir), "--adapter-from", str(out)], obj=ctx)
    assert bare.exit_code != 0 and "has no tuned adapter to reuse" in bare.output
    assert not (tmp_path / "reused").exists()
    ctx.close()


def test_bad_training_options_fail_before_the_model_loads(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model(*_a: object, **_k: object) -> None:
        raise AssertionError("the model must not load for a bad option")

    monkeypatch.setattr(models.embedding, "Embedder", no_model)
    group = click.Group("hate-monitor")
    for command in (train, evaluate, model):
        group.add_command(command)
    for args, word in ((["--holdout", "0.9"], "holdout"), (["--tune-epochs", "0"], "epochs"),
                       (["--tune-threat-weight", "-1"], "threat_weight"),
                       (["--threshold", "high"], "--threshold"),
                       (["--threat-threshold", "1.5"], "--threat-threshold"),
                       (["--threat-threshold", "high"], "--threat-threshold"),
                       (["--adapter-from", str(tmp_path / "nowhere")], "not an artefact"),
                       (["--adapter-from", str(tmp_path), "--tune"], "leave out --tune")):
        result = CliRunner().invoke(group, ["train", "--out", str(tmp_path / "m"),
                                            "--data-dir", str(tmp_path), *args],
                                    obj=CliContext(settings))
        assert result.exit_code != 0 and word in result.output, result.output
        assert not (tmp_path / "m").exists()


@pytest.mark.model
def test_reusing_an_adapter_needs_the_split_it_was_tuned_with(
    settings: Settings, tmp_path: Path
) -> None:
    from models import default_artefact

    group = click.Group("hate-monitor")
    group.add_command(train)
    shipped = default_artefact()
    seed = HateClassifier.load(shipped).training["seed"]
    result = CliRunner().invoke(group, ["train", "--out", str(tmp_path / "m"), "--data-dir",
                                        str(tmp_path), "--adapter-from", str(shipped),
                                        "--seed", str(seed + 1)], obj=CliContext(settings))
    assert result.exit_code != 0 and f"tuned with --seed {seed}" in result.output
    assert not (tmp_path / "m").exists()
    # A folder that is no artefact is named as the flag's value, not as a bare path.
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(group, ["train", "--out", str(tmp_path / "m"), "--data-dir",
                                        str(tmp_path), "--adapter-from", str(empty)],
                                obj=CliContext(settings))
    assert result.exit_code != 0 and f"--adapter-from {empty}: " in result.output
    assert not (tmp_path / "m").exists()
    # With the same split, the plan refits heads on the shipped adapter and names the run that
    # tuned it, even when the shipped model is itself a refit.
    from models.embedding import Embedder
    from models.training import TrainPlan
    from monitor.cli.model import _reuse_adapter

    src = HateClassifier.load(shipped)
    plan = TrainPlan(tmp_path, seed=seed,
                     holdout=src.metrics.get("contrast_holdout", {}).get("fraction", 0.0))
    reused, embedder = _reuse_adapter(plan, shipped, Embedder())
    tuned_in = src.training["tune"].get("tuned_in", src.model_version)
    assert reused.reused_tune is not None and reused.reused_tune["tuned_in"] == tuned_in
    assert reused.tune is None and getattr(embedder, "adapter", None) is not None


class _AdaptedFake(FakeEmbedder):
    """A fake encoder that says it carries an adapter, as a reused one does."""

    def __init__(self, dimension: int) -> None:
        super().__init__(dimension)
        self.adapter = {"lora": np.zeros(1, np.float32)}


def test_a_reused_adapter_is_refused_once_the_held_out_templates_change(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import models.training as training
    from models.data.base import Example

    corpus = [Example(f"group alpha are vermin number {i}", 1, "stub", ("race",), "derogation")
              for i in range(40)] + [Example(f"nice walk by the river {i}", 0, "stub")
                                     for i in range(40)]
    monkeypatch.setattr(training, "read_corpora", lambda *_a, **_k: list(corpus))
    _, held = split_holdout(read_contrast(), 0.2, seed=14)
    digest = training.heldout_digest(held)
    assert digest == training.heldout_digest(list(reversed(held)))  # order does not matter
    assert digest != training.heldout_digest(held[1:])
    tuned = {"rank": 8, "tuned_in": "hm-x", "heldout_digest": digest}
    plan = training.TrainPlan(tmp_path, cv_folds=0, seed=14, holdout=0.2, reused_tune=tuned)
    model = training.train(plan, _AdaptedFake(32), evaluate_heldout=False)
    assert model.metrics["contrast_holdout"]["digest"] == digest
    assert model.training["tune"]["heldout_digest"] == digest  # kept through the refit
    # The same seed and share over a changed contrast set hold out other rows: refused.
    changed = training.TrainPlan(tmp_path, cv_folds=0, seed=14, holdout=0.2,
                                 reused_tune={**tuned, "heldout_digest": "0" * 16})
    with pytest.raises(ValueError, match="contrast set has changed since"):
        training.train(changed, _AdaptedFake(32), evaluate_heldout=False)
