"""CLI: ``train``, ``evaluate``, ``model list|compare|promote`` ."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from models import evaluation as ev
from models.data.base import DataError
from models.tuning import TuneOptions
from monitor.classifier import versions as reg
from monitor.classifier.labels import decision_examples
from monitor.classifier.realistic import realistic_figures
from monitor.cli import context
from monitor.cli.context import CliContext
from monitor.review.priority import PriorityWeights
from monitor.storage.tables.ops import ModelVersion

if TYPE_CHECKING:  # the model stack loads only when a command needs it
    from models.embedding import Encoder
    from models.training import TrainPlan

DEFAULT_DATA = Path("..") / "shared" / "data"


def _load_model(ctx: CliContext, model: str | None) -> Any:
    """A directory, a registered version, or (by default) the live/shipped model."""
    from models.classifier import HateClassifier
    from models.embedding import Embedder

    embedder = ctx.settings["model.embedder"] or None
    if model is None:
        return reg.live_scorer(ctx.settings, ctx.database())
    if Path(model).is_dir():
        return HateClassifier.load(model, Embedder(embedder,
                                                   **reg.encoder_options(ctx.settings)))
    with ctx.database().read() as session:
        row = session.get(ModelVersion, model)
    if row is None:
        raise click.ClickException(f"--model {model!r}: neither a directory nor a registered "
                                   "version (see 'hate-monitor model list')")
    return reg.load_version(ctx.settings, row)


@click.command()
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Artefact directory (default: data/models/VERSION).")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DEFAULT_DATA,
              show_default=True, help="Folder of labelled corpora (../shared/data layout).")
@click.option("--include-decisions", is_flag=True,
              help="Add officer decisions as labels and register the result as a shadow model.")
@click.option("--head", type=click.Choice(["logistic", "mlp"]), default="logistic",
              show_default=True)
@click.option("--cv-folds", type=int, default=5, show_default=True,
              help="Grouped CV folds on the contrast set (0 skips).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Reuse embeddings across runs (an .npz per embedder).")
@click.option("--seed", type=int, default=14, show_default=True,
              help="Random seed; the shipped model was trained with this default (README).")
@click.option("--tune/--no-tune", default=True, show_default=True,
              help="Tune a LoRA adapter on the encoder first (about 50 min on 2 CPU cores); "
                   "--no-tune keeps the encoder frozen (about 1 min with --cache-dir).")
@click.option("--adapter-from", "adapter_from", type=click.Path(path_type=Path), default=None,
              help="Reuse the encoder adapter of this artefact directory instead of tuning one "
                   "(about 5 min): refit the heads only. --seed and --holdout must be the ones "
                   "it was tuned with, and the held-out templates the same rows, so they stay "
                   "unseen.")
@click.option("--tune-corpus-rows", type=int, default=8000, show_default=True,
              help="Corpora rows sampled for adapter tuning (the contrast set is all used).")
@click.option("--tune-epochs", type=int, default=TuneOptions().epochs, show_default=True,
              help="Passes over the tuning rows (models.tuning.TuneOptions.epochs says why).")
@click.option("--tune-threat-weight", type=float, default=TuneOptions().threat_weight,
              show_default=True,
              help="Weight of the threat task against the hate task while tuning the adapter.")
@click.option("--contrast-repeats", type=int, default=4, show_default=True,
              help="Passes over the contrast set per tuning epoch.")
@click.option("--holdout", type=float, default=0.2, show_default=True,
              help="Share of contrast-set templates kept out of training and measured after.")
@click.option("--threshold", "threshold", default="balanced", show_default=True,
              help="Decision threshold on p(hate): a number, or 'balanced' (the calibration "
                   "rows' share of hate: a miss and a false alarm weigh the same).")
@click.option("--threat-threshold", "threat_threshold", default="dev", show_default=True,
              help="Threshold on p(threat): a number, or 'dev' (chosen after fitting on the "
                   "development posts, models.evaluation.DEVELOPMENT: most threats within "
                   "the first threats + 5 places of their queue).")
@click.pass_obj
def train(ctx: CliContext, out: Path | None, data_dir: Path, include_decisions: bool, head: str,
          cv_folds: int, cache_dir: Path | None, seed: int, tune: bool,
          adapter_from: Path | None, tune_corpus_rows: int, tune_epochs: int,
          tune_threat_weight: float, contrast_repeats: int, holdout: float, threshold: str,
          threat_threshold: str) -> None:
    """Train a classifier on the corpora and our contrast set (CPU, fixed seed)."""
    from models.artefact import ArtefactError
    from models.classifier import TrainOptions
    from models.embedding import Embedder, EmbeddingError
    from models.training import TrainPlan
    from models.training import train as run_training

    if not data_dir.is_dir():
        raise click.ClickException(f"--data-dir {data_dir}: not a folder of corpora")
    if cv_folds == 1 or cv_folds < 0:
        raise click.ClickException("--cv-folds must be 0 or at least 2")
    balanced = threshold == "balanced"
    try:
        options = TrainOptions(head=head, seed=seed, threshold=0.5 if balanced
                               else float(threshold), balanced_threshold=balanced)
    except ValueError as err:
        raise click.ClickException(f"--threshold {threshold!r}: a number between 0 and 1 or "
                                   f"'balanced' ({err})") from None
    on_dev = threat_threshold == "dev"
    try:
        if not on_dev:
            options = replace(options, threat_threshold=float(threat_threshold))
    except ValueError as err:
        raise click.ClickException(f"--threat-threshold {threat_threshold!r}: a number between "
                                   f"0 and 1 or 'dev' ({err})") from None
    try:
        dev = ev.read_realistic(*ev.DEVELOPMENT) if on_dev else []
    except ev.EvaluationError as err:
        raise click.ClickException(f"--threat-threshold dev needs the development posts: "
                                   f"{err}") from None
    if adapter_from is not None:
        if not adapter_from.is_dir():
            raise click.ClickException(f"--adapter-from {adapter_from}: not an artefact "
                                       "directory")
        if tune and click.get_current_context().get_parameter_source("tune") is \
                click.core.ParameterSource.COMMANDLINE:
            raise click.ClickException("--adapter-from reuses an adapter: leave out --tune")
    # Checked before the model loads and the corpora are read, so a typo costs nothing.
    try:
        tuning = TuneOptions(epochs=tune_epochs, threat_weight=tune_threat_weight, seed=seed) \
            if tune and not adapter_from else None
        plan = TrainPlan(data_dir, options, cv_folds=cv_folds, cache_dir=cache_dir, seed=seed,
                         tune=tuning, tune_corpus_rows=tune_corpus_rows,
                         contrast_repeats=contrast_repeats, holdout=holdout, threat_dev=dev)
    except ValueError as err:
        raise click.ClickException(
            f"bad training option (--tune-epochs, --tune-threat-weight, --tune-corpus-rows, "
            f"--contrast-repeats or --holdout): {err}") from None
    extra = decision_examples(ctx.database()) if include_decisions else []
    if include_decisions:
        click.echo(f"{len(extra)} officer decisions added as labels")
    try:
        embedder: Encoder = Embedder(ctx.settings["model.embedder"] or None)
        if adapter_from is not None:
            plan, embedder = _reuse_adapter(plan, adapter_from, embedder)
        clf = run_training(plan, embedder, extra=extra)
        # Measured after training, which never reads the frozen posts (models/evalsets) and
        # reads the development posts only to choose the threat threshold.
        clf.metrics["realistic"] = realistic_figures(clf, ctx.settings, clf.options.threshold)
        clf.metrics["realistic_uk2"] = realistic_figures(clf, ctx.settings,
                                                         clf.options.threshold, (ev.REALISTIC_UK2,))
        clf.metrics["realistic_dev"] = realistic_figures(clf, ctx.settings,
                                                         clf.options.threshold, ev.DEVELOPMENT)
        target = out or Path("data") / "models" / clf.model_version
        clf.save(target)
    except (DataError, EmbeddingError, ArtefactError, ValueError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"saved {clf.model_version} to {target}")
    for name, m in clf.metrics.get("heldout", {}).items():
        click.echo(f"  {name}: ROC-AUC {m['roc_auc']}  F1 {m['f1']}  accuracy {m['accuracy']}")
    # The frozen judges' figures go to the model card only: printed here, they would be read by
    # whoever is choosing a run, before the development posts had chosen (docs/MODEL_LOG.md).
    real = clf.metrics["realistic_dev"]
    click.echo(f"  development posts ({real['n']}): hate ROC-AUC {real['hate']['roc_auc']}  "
               f"queue ROC-AUC {real['queue']['roc_auc']}  threat recall "
               f"{real['threat']['recall']} precision {real['threat']['precision']}")
    click.echo(f"  the frozen judges' figures are in {target / 'MODEL_CARD.md'}: read them "
               "after the development posts have chosen")
    chosen = clf.training.get("threat_threshold")
    if chosen:
        click.echo(f"  threat threshold {chosen['threshold']}, chosen on the development "
                   f"posts: {chosen['threats_within_first_n_plus_5']} of {chosen['threats']} "
                   f"threats within the first n + 5 places")
    held = clf.metrics.get("contrast_holdout")
    if held:
        click.echo(f"  contrast templates held out ({held['templates']}): accuracy "
                   f"{held['accuracy']}  ROC-AUC {held['roc_auc']}")
    if include_decisions:
        reg.register_version(ctx.database(), target, "shadow")
        click.echo(f"registered {clf.model_version} as a shadow model")


def _reuse_adapter(plan: TrainPlan, source: Path, embedder: Encoder) -> tuple[TrainPlan, Encoder]:
    """The plan and embedder that refit heads on ``source``'s adapter, refusing a split that
    would hand the heads templates the adapter was held out from."""
    from models.artefact import ArtefactError
    from models.classifier import HateClassifier

    try:
        src = HateClassifier.load(source, embedder)
    except ArtefactError as err:
        raise click.ClickException(f"--adapter-from {source}: {err}") from None
    tune = src.training.get("tune")
    if not tune or src.adapter is None:
        raise click.ClickException(f"--adapter-from {source}: {src.model_version} has no tuned "
                                   "adapter to reuse")
    seed = src.training.get("seed")
    fraction = src.metrics.get("contrast_holdout", {}).get("fraction", 0.0)
    if seed != plan.seed or fraction != plan.holdout:
        raise click.ClickException(
            f"--adapter-from {source}: its adapter was tuned with --seed {seed} and --holdout "
            f"{fraction}; train with the same so the templates it never saw stay held out")
    # Where the adapter was tuned, kept through any number of refits: that run's record is the
    # adapter's, and the artefact reused here may itself be a refit.
    reused = {**tune, "tuned_in": tune.get("tuned_in", src.model_version)}
    return replace(plan, reused_tune=reused), src.embedder


@click.command()
@click.option("--model", "model_ref", default=None,
              help="Artefact directory or registered version (default: the live model).")
@click.option("--data", "data_file", type=click.Path(path_type=Path), default=None,
              help="Labelled CSV or JSONL file.")
@click.option("--text-col", default="text", show_default=True)
@click.option("--label-col", default="label", show_default=True)
@click.option("--positive", default="1", show_default=True, help="Label value meaning hateful.")
@click.option("--suite", type=click.Path(path_type=Path), default=None,
              help="Functional test suite in HateCheck's CSV layout.")
@click.option("--heldout", is_flag=True, help="HateXplain, HatemojiBuild, Stormfront test sets.")
@click.option("--realistic", is_flag=True,
              help="Our frozen realistic UK posts (models/evalsets), ranked as the queue ranks.")
@click.option("--realistic-dev", is_flag=True,
              help="Our development posts (models/evalsets), which the threat threshold is "
                   "chosen on, ranked as the queue ranks.")
@click.option("--realistic-file", "realistic_files", multiple=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="Realistic posts in the evalsets' layout, ranked as the queue ranks "
                   "(repeat for several files read as one set), e.g. "
                   "models/evalsets/realistic_threat_forms.jsonl.")
@click.option("--data-dir", type=click.Path(path_type=Path), default=DEFAULT_DATA,
              show_default=True)
@click.option("--threshold", type=float, default=None, help="Default: the model's own.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_obj
def evaluate(ctx: CliContext, model_ref: str | None, data_file: Path | None, text_col: str,
             label_col: str, positive: str, suite: Path | None, heldout: bool, realistic: bool,
             realistic_dev: bool, realistic_files: tuple[Path, ...], data_dir: Path,
             threshold: float | None, as_json: bool) -> None:
    """Evaluate a model on a labelled file, a functional suite, the held-out sets, or
    realistic posts (our frozen set, our development set, or given files)."""
    from models.artefact import ArtefactError

    chosen = (data_file is not None) + (suite is not None) + heldout + realistic + \
        realistic_dev + bool(realistic_files)
    if chosen != 1:
        raise click.ClickException("give exactly one of --data FILE, --suite FILE, --heldout, "
                                   "--realistic, --realistic-dev, --realistic-file FILE")
    try:
        if realistic_files:
            ev.read_realistic(*realistic_files)  # a bad file fails before the model loads
        clf = _load_model(ctx, model_ref)
        thr = threshold if threshold is not None else clf.options.threshold
        if suite is not None:
            cases = ev.read_suite(suite)
            p = clf.predict_proba([c.text for c in cases])[:, 1].tolist()
            result = ev.suite_metrics(cases, p, thr)
        elif data_file is not None:
            texts, labels = ev.read_labelled(data_file, text_col, label_col, positive)
            result = ev.binary_metrics(labels, clf.predict_proba(texts)[:, 1].tolist(), thr)
        elif realistic or realistic_dev or realistic_files:
            paths = ev.DEVELOPMENT if realistic_dev else realistic_files or (ev.REALISTIC,)
            result = realistic_figures(clf, ctx.settings, thr, paths)
        else:
            result = ev.heldout(clf, data_dir, thr)
    except (ev.EvaluationError, ArtefactError, DataError, reg.RegistryError) as err:
        raise click.ClickException(str(err)) from err
    result = {"model_version": clf.model_version, **result}
    if as_json:
        click.echo(json.dumps(result, sort_keys=True))
    else:
        _print(result)


def _print(result: dict[str, Any], indent: str = "") -> None:
    for key, value in result.items():
        if isinstance(value, dict):
            click.echo(f"{indent}{key}:")
            _print(value, indent + "  ")
        else:
            click.echo(f"{indent}{key}: {value}")


@click.group()
def model() -> None:
    """Classifier versions: list, compare on decided items, promote, re-score the open queue."""


@model.command("list")
@click.pass_obj
def list_cmd(ctx: CliContext) -> None:
    rows = reg.list_versions(ctx.database())
    if not rows:
        click.echo("no registered versions; the shipped default model is live")
    for r in rows:
        promoted = f" promoted {r.promoted_at:%Y-%m-%d %H:%M}" if r.promoted_at else ""
        click.echo(f"{r.version}  {r.role}{promoted}  {r.path}")
    ranked = reg.open_queue_versions(ctx.database())
    if ranked:
        click.echo("open queue ranked by: " + ", ".join(
            f"{v} ({n} item{'' if n == 1 else 's'})" for v, n in sorted(ranked.items())))
        try:
            live = reg.live_version(ctx.settings, ctx.database())
        except (OSError, reg.RegistryError) as err:
            raise click.ClickException(f"cannot tell which model is live: {err}") from err
        if reg.ranked_by_others(ranked, live):
            click.echo(f"the live model is {live}; 'hate-monitor model rescore' re-scores the "
                       "open items an earlier model ranked")


@model.command("compare")
@click.argument("version_a")
@click.argument("version_b")
@click.pass_obj
def compare_cmd(ctx: CliContext, version_a: str, version_b: str) -> None:
    """Accuracy, F1 and ROC-AUC of two versions on items officers have decided."""
    db = ctx.database()
    scorers = {}
    for v in (version_a, version_b):
        with db.read() as session:
            row = session.get(ModelVersion, v)
        if row is None:
            raise click.ClickException(f"model version {v!r} is not registered")
        scorers[v] = reg.load_version(ctx.settings, row)
    for c in reg.compare(db, version_a, version_b, scorers=scorers):
        click.echo(f"{c.version}: n={c.n} accuracy={c.accuracy} f1={c.f1} roc_auc={c.roc_auc}")


@model.command("rescore")
@click.option("--actor", default="cli", show_default=True, help="Who re-scores (audited).")
@click.pass_obj
def rescore_cmd(ctx: CliContext, actor: str) -> None:
    """Re-score open queue items an earlier model ranked, with the live model (after an
    upgrade ships a new default model, or model.path changes)."""
    scorer = context.load_scorer(ctx)
    n = reg.rescore_open(ctx.database(), scorer, actor,
                         weights=PriorityWeights.from_settings(ctx.settings))
    click.echo(f"{n} open queue items re-scored with {scorer.model_version}" if n else
               f"every open queue item is already scored by {scorer.model_version}")


@model.command("promote")
@click.argument("version")
@click.option("--actor", default="cli", show_default=True, help="Who promotes (audited).")
@click.pass_obj
def promote_cmd(ctx: CliContext, version: str, actor: str) -> None:
    """Make VERSION the live model and re-score the open queue with it."""
    db = ctx.database()
    with db.read() as session:
        row = session.get(ModelVersion, version)
    if row is None:
        raise click.ClickException(f"model version {version!r} is not registered")
    try:
        n = reg.promote(db, version, actor, scorer=reg.load_version(ctx.settings, row),
                        weights=PriorityWeights.from_settings(ctx.settings))
    except reg.RegistryError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{version} is live; {n} open queue items re-scored")
