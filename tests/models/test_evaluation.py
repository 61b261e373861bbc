from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from models import evaluation as ev
from models.classifier import HateClassifier
from monitor.cli.context import CliContext
from monitor.cli.model import evaluate, model, train
from monitor.config import Settings

SUITE = Path(__file__).resolve().parent / "data" / "tiny_suite.csv"
KEYS = {"accuracy", "accuracy_hateful", "accuracy_non_hateful", "macro_f1", "roc_auc",
        "by_functionality", "by_target"}


def test_binary_metrics() -> None:
    m = ev.binary_metrics([1, 1, 0, 0, 1, 0], [0.9, 0.8, 0.3, 0.6, 0.4, 0.1], ks=(2, 4))
    assert m["n"] == 6 and m["positives"] == 3
    assert m["precision_at_k"] == {"2": 1.0, "4": 0.75}
    assert m["accuracy"] == round(4 / 6, 4)
    assert 0 < m["roc_auc"] <= 1 and "recall_at_precision_0.9" in m


def test_suite_metrics_on_our_tiny_suite(trained: HateClassifier) -> None:
    cases = ev.read_suite(SUITE)
    assert len(cases) == 8 and cases[6].target == "none"
    m = ev.suite_metrics(cases, trained.predict_proba([c.text for c in cases])[:, 1].tolist())
    assert set(m) >= KEYS
    assert m["accuracy"] == 1.0 and m["macro_f1"] == 1.0
    assert m["by_functionality"]["threat_plain"] == {"n": 2, "accuracy": 1.0}
    assert set(m["by_target"]) == {"alpha", "beta", "none"}


def test_bad_suite_and_labelled_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("functionality,test_case,label_gold\nf,some text,maybe\n")
    with pytest.raises(ev.EvaluationError, match=r"bad\.csv:2: label_gold 'maybe'"):
        ev.read_suite(bad)
    data = tmp_path / "d.jsonl"
    data.write_text('{"body": "x", "y": "hate"}\n{"body": "y", "y": "ok"}\n')
    assert ev.read_labelled(data, "body", "y", "hate") == (["x", "y"], [1, 0])
    with pytest.raises(ev.EvaluationError, match="no 'text'"):
        ev.read_labelled(data, "text", "y", "hate")


def _cli() -> click.Group:
    group = click.Group("hate-monitor")
    for command in (train, evaluate, model):
        group.add_command(command)
    return group


def test_cli_user_errors(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(_cli(), ["evaluate", "--suite", str(SUITE), "--heldout"],
                           obj=CliContext(settings))
    assert result.exit_code != 0 and "exactly one of" in result.output
    result = runner.invoke(_cli(), ["model", "promote", "nope"], obj=CliContext(settings))
    assert result.exit_code != 0 and "not registered" in result.output
    result = runner.invoke(_cli(), ["train", "--data-dir", str(tmp_path / "nowhere")],
                           obj=CliContext(settings))
    assert result.exit_code != 0 and "not a folder" in result.output
    result = runner.invoke(_cli(), ["model", "list"], obj=CliContext(settings))
    assert result.exit_code == 0 and "shipped default" in result.output


@pytest.mark.model
def test_cli_evaluate_suite_json_with_shipped_model(settings: Settings) -> None:
    result = CliRunner().invoke(_cli(), ["evaluate", "--suite", str(SUITE), "--json"],
                                obj=CliContext(settings))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= KEYS and out["model_version"].startswith("hm-")


def test_cli_evaluate_realistic_with_a_model_directory(settings: Settings, saved: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.models.fakes import FakeEmbedder

    monkeypatch.setattr("models.embedding.Embedder", lambda *_a, **_k: FakeEmbedder())
    result = CliRunner().invoke(_cli(), ["evaluate", "--realistic", "--json", "--model",
                                         str(saved)], obj=CliContext(settings))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["n"] >= 300 and {"hate", "threat", "queue", "by_family", "by_strand"} <= set(out)
    assert out["queue"]["threats"] == out["threat"]["n"] > 0
    dev = CliRunner().invoke(_cli(), ["evaluate", "--realistic-dev", "--json", "--model",
                                      str(saved)], obj=CliContext(settings))
    assert dev.exit_code == 0, dev.output
    dev_out = json.loads(dev.stdout)
    assert dev_out["n"] == len(ev.read_realistic(*ev.DEVELOPMENT)) != out["n"]
    assert "files" not in out  # one file: no per-file breakdown
    # Several files read as one set report each file's queue as well.
    both = CliRunner().invoke(_cli(), ["evaluate", "--realistic-file", str(ev.REALISTIC_DEV),
                                       "--realistic-file", str(ev.REALISTIC_DEV3), "--json",
                                       "--model", str(saved)], obj=CliContext(settings))
    assert both.exit_code == 0, both.output
    both_out = json.loads(both.stdout)
    files = both_out["files"]
    assert set(files) == {"realistic_dev.jsonl", "realistic_dev3.jsonl"}
    assert sum(f["n"] for f in files.values()) == both_out["n"]
    assert sum(f["queue"]["threats"] for f in files.values()) == both_out["queue"]["threats"]
    forms = CliRunner().invoke(_cli(), ["evaluate", "--realistic-file",
                                        str(ev.REALISTIC_THREAT_FORMS), "--json", "--model",
                                        str(saved)], obj=CliContext(settings))
    assert forms.exit_code == 0, forms.output
    forms_out = json.loads(forms.stdout)
    assert forms_out["n"] == len(ev.read_realistic(ev.REALISTIC_THREAT_FORMS))
    assert forms_out["queue"]["threats"] == forms_out["threat"]["n"] > 0


def test_cli_evaluate_realistic_file_names_a_bad_file(settings: Settings,
                                                     tmp_path: Path) -> None:
    bad = tmp_path / "posts.jsonl"
    bad.write_text('{"id": "x1", "text": "a post"}\n', encoding="utf-8")
    for args, word in (([str(tmp_path / "missing.jsonl")], "does not exist"),
                       ([str(bad)], "posts.jsonl")):
        result = CliRunner().invoke(_cli(), ["evaluate", "--realistic-file", *args],
                                    obj=CliContext(settings))
        assert result.exit_code != 0 and word in result.output, result.output


@pytest.mark.parametrize(("field", "value"), [("strand", "unknown"), ("severity", "urgent")])
def test_a_realistic_row_with_an_unknown_value_names_the_field_and_the_choices(
        tmp_path: Path, field: str, value: str) -> None:
    row = {"id": "a1", "text": "a post", "hateful": 0, "threat": 1, "strand": "none",
           "severity": "threat", "family": "own", field: value}
    path = tmp_path / "own.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ev.EvaluationError) as err:
        ev.read_realistic(path)
    assert f"own.jsonl:1: {field} {value!r} is not one of" in str(err.value)
    assert ("race" if field == "strand" else "dehumanisation") in str(err.value)
