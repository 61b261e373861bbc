"""Evaluation: labelled files, functional test suites (HateCheck's CSV layout), held-out sets.

Figures are computed from calibrated p(hate) (``predict_proba``, no language gating: these sets
are English) at the model's threshold.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from models.data.base import DataError

Floats = npt.NDArray[np.float64]


class ProbaModel(Protocol):
    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]: ...


class EvaluationError(Exception):
    """An evaluation file is missing, unreadable or lacks the named columns."""


def _r(x: float) -> float:
    return round(float(x), 4)


def binary_metrics(y: Sequence[int], p: Sequence[float], threshold: float = 0.5,
                   ks: Sequence[int] = (10, 50, 100)) -> dict[str, Any]:
    from sklearn.metrics import (
        average_precision_score,
        f1_score,
        precision_recall_curve,
        precision_score,
        recall_score,
        roc_auc_score,
    )

    yy = np.asarray(y, dtype=np.int64)
    pp = np.asarray(p, dtype=np.float64)
    pred = (pp >= threshold).astype(np.int64)
    both = len(set(yy.tolist())) == 2
    out: dict[str, Any] = {
        "n": len(yy),
        "positives": int(yy.sum()),
        "roc_auc": _r(roc_auc_score(yy, pp)) if both else None,
        "pr_auc": _r(average_precision_score(yy, pp)) if both else None,
        "f1": _r(f1_score(yy, pred, zero_division=0)),
        "precision": _r(precision_score(yy, pred, zero_division=0)),
        "recall": _r(recall_score(yy, pred, zero_division=0)),
        "accuracy": _r((pred == yy).mean()) if len(yy) else None,
    }
    order = np.argsort(-pp, kind="stable")
    out["precision_at_k"] = {str(k): _r(yy[order[:k]].mean()) for k in ks if k <= len(yy)}
    if both:
        prec, rec, _ = precision_recall_curve(yy, pp)
        ok = prec >= 0.9
        out["recall_at_precision_0.9"] = _r(rec[ok].max()) if ok.any() else 0.0
    return out


@dataclass(frozen=True, slots=True)
class SuiteCase:
    functionality: str
    text: str
    hateful: int
    target: str


def read_suite(path: Path) -> list[SuiteCase]:
    """A functional suite in HateCheck's CSV layout (functionality, test_case, label_gold,
    target_ident)."""
    rows = _read_csv(path)
    need = {"functionality", "test_case", "label_gold"}
    if rows and not need <= set(rows[0]):
        raise EvaluationError(f"{path}: needs columns {sorted(need)}, has {sorted(rows[0])}")
    out: list[SuiteCase] = []
    for line, row in enumerate(rows, start=2):
        gold = row["label_gold"].strip().lower()
        if gold not in ("hateful", "non-hateful"):
            raise EvaluationError(f"{path}:{line}: label_gold {gold!r} is not "
                                  "'hateful' or 'non-hateful'")
        target = (row.get("target_ident") or "").strip() or "none"
        out.append(SuiteCase(row["functionality"], row["test_case"], int(gold == "hateful"),
                             target))
    if not out:
        raise EvaluationError(f"{path}: no test cases")
    return out


def suite_metrics(cases: Sequence[SuiteCase], p: Sequence[float],
                  threshold: float = 0.5) -> dict[str, Any]:
    from sklearn.metrics import f1_score, roc_auc_score

    y = np.array([c.hateful for c in cases], dtype=np.int64)
    pp = np.asarray(p, dtype=np.float64)
    pred = (pp >= threshold).astype(np.int64)
    right = pred == y

    def acc(mask: npt.NDArray[np.bool_]) -> float | None:
        return _r(right[mask].mean()) if mask.any() else None

    def grouped(keys: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for key in sorted(set(keys)):
            mask = np.array([k == key for k in keys])
            out[key] = {"n": int(mask.sum()), "accuracy": acc(mask)}
        return out

    return {
        "n": len(y),
        "accuracy": acc(np.ones(len(y), dtype=bool)),
        "accuracy_hateful": acc(y == 1),
        "accuracy_non_hateful": acc(y == 0),
        "macro_f1": _r(f1_score(y, pred, average="macro", zero_division=0)),
        "roc_auc": _r(roc_auc_score(y, pp)) if len(set(y.tolist())) == 2 else None,
        "by_functionality": grouped([c.functionality for c in cases]),
        "by_target": grouped([c.target for c in cases]),
    }


def read_labelled(path: Path, text_col: str, label_col: str,
                  positive: str) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels from CSV or JSONL; ``positive`` names the hateful label value."""
    rows = _read_jsonl(path) if path.suffix.lower() in (".jsonl", ".json") else _read_csv(path)
    texts: list[str] = []
    labels: list[int] = []
    for n, row in enumerate(rows, start=1):
        if text_col not in row or label_col not in row:
            raise EvaluationError(f"{path}: row {n} has no {text_col!r} or {label_col!r} "
                                  f"(columns: {sorted(row)})")
        texts.append(str(row[text_col]))
        labels.append(int(str(row[label_col]).strip() == positive))
    if not texts:
        raise EvaluationError(f"{path}: no rows")
    return texts, labels


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except ValueError as err:
                    raise EvaluationError(f"{path}:{n}: not JSON ({err})") from err
    return rows


def heldout(model: ProbaModel, data_dir: Path, threshold: float = 0.5) -> dict[str, Any]:
    """Figures on each held-out test split (HateXplain test, HatemojiBuild test, Stormfront)."""
    from models.data.registry import HELD_OUT, READERS

    out: dict[str, Any] = {}
    for name in HELD_OUT:
        try:
            rows = READERS[name](data_dir, "test")
        except DataError as err:
            raise EvaluationError(str(err)) from err
        p = model.predict_proba([r.text for r in rows])[:, 1]
        out[f"{name}-test"] = binary_metrics([r.label for r in rows], p.tolist(), threshold)
    return out
