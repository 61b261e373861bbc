"""Evaluation: labelled files, functional test suites (HateCheck's CSV layout), held-out sets,
and our frozen realistic posts.

Figures are computed from calibrated p(hate) (``predict_proba``, no language gating: these sets
are English) at the model's threshold; the realistic posts go through ``predict`` as the queue
sees them, and are ranked the way the queue ranks.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from models.data.base import DataError
from models.types import DEFAULT_STRANDS, SEVERITIES, Prediction

Floats = npt.NDArray[np.float64]

# Realistic UK posts written by someone who never saw our training templates (README.md beside
# it). Frozen: read only here, for measurement; training never opens it (a test proves it).
REALISTIC = Path(__file__).resolve().parent / "evalsets" / "realistic_uk.jsonl"
# A second judge by another writer, frozen unread: the first has read some candidates before a
# rule refused them, so a choice that retries one of them needs a judge that has not.
REALISTIC_UK2 = REALISTIC.parent / "realistic_uk2.jsonl"
# Written the same way by another independent writer, to make choices on (until taught, below).
REALISTIC_DEV = REALISTIC.parent / "realistic_dev.jsonl"
# A third writer's posts, read with the second's as one development set: 314 posts could not
# tell close training runs apart (a head's seed moved their queue order as much as a change did).
REALISTIC_DEV2 = REALISTIC.parent / "realistic_dev2.jsonl"
# A fourth writer's posts aimed at the threat forms the development union's misses share (slang,
# coded, passive, permission-phrased, late): read on its own, never in the development union,
# because its writer's brief named those forms (evalsets/README.md).
REALISTIC_THREAT_FORMS = REALISTIC.parent / "realistic_threat_forms.jsonl"
# A sixth writer's posts, frozen before any model scored them: a development reading that no
# choice had yet been made on (docs/MODEL_LOG.md has the rule for its first use).
REALISTIC_DEV3 = REALISTIC.parent / "realistic_dev3.jsonl"
# A seventh writer's posts, frozen unread until the rule for their first use was written; since
# the earlier files were taught (below), the development set: the only posts that choose the
# threat threshold and which training run ships. Never fitted on, never the judge.
REALISTIC_DEV4 = REALISTIC.parent / "realistic_dev4.jsonl"
DEVELOPMENT: tuple[Path, ...] = (REALISTIC_DEV4,)
# A ninth writer's posts, frozen unread and outside the development set: kept for the next
# choice, which both judges' readings of the shipped recipe leave weaker (docs/MODEL_LOG.md).
# No model is scored on it before the rule for its first use is written there.
REALISTIC_DEV5 = REALISTIC.parent / "realistic_dev5.jsonl"
# Earlier development files, now taught as written training posts (``models/contrast``, less
# the posts sharing a six-word run with a frozen judge): once a run trains on a file, it can no
# longer choose between runs. Kept here as written, so their own readings can be reproduced.
TAUGHT: tuple[Path, ...] = (REALISTIC_DEV, REALISTIC_DEV2, REALISTIC_THREAT_FORMS,
                            REALISTIC_DEV3)
# Every realistic file, whatever its use: what a newly written post must share no run of words
# with (``models.overlap``), and, bar the taught ones, what the training data must hold no run
# of (tests).
REALISTIC_FILES: tuple[Path, ...] = (REALISTIC, REALISTIC_UK2, REALISTIC_DEV, REALISTIC_DEV2,
                                     REALISTIC_THREAT_FORMS, REALISTIC_DEV3, REALISTIC_DEV4,
                                     REALISTIC_DEV5)


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


@dataclass(frozen=True, slots=True)
class RealisticPost:
    id: str
    text: str
    hateful: int
    threat: int  # threatens or calls for violence against anyone, protected or not
    strand: str  # the group targeted or talked about, or "none"
    severity: str
    family: str
    file: str = ""  # the file it was read from, when several are read as one set

    @property
    def urgent_or_hateful(self) -> bool:
        """Belongs above chatter in the queue: hate, or a threat to anyone."""
        return bool(self.hateful or self.threat)


def read_realistic(*paths: Path) -> list[RealisticPost]:
    """The posts of one realistic file, or of several read as one set (the frozen set if none)."""
    strands = {*DEFAULT_STRANDS, "none"}
    posts: list[RealisticPost] = []
    seen: dict[str, Path] = {}
    for path in paths or (REALISTIC,):
        rows = _read_jsonl(path)
        if not rows:
            raise EvaluationError(f"{path}: no rows")
        for n, row in enumerate(rows, start=1):
            try:
                post = RealisticPost(str(row["id"]), str(row["text"]), int(row["hateful"]),
                                     int(row["threat"]), str(row["strand"]),
                                     str(row["severity"]), str(row["family"]), path.name)
            except KeyError as err:
                raise EvaluationError(f"{path}:{n}: bad row (missing field {err})") from err
            except (TypeError, ValueError) as err:
                raise EvaluationError(f"{path}:{n}: bad row ({err})") from err
            for field, value, allowed in (("strand", post.strand, strands),
                                          ("severity", post.severity, SEVERITIES)):
                if value not in allowed:
                    raise EvaluationError(f"{path}:{n}: {field} {value!r} is not one of "
                                          f"{', '.join(sorted(allowed))}")
            if post.id in seen:
                # Ids name posts in reports; two files read as one set must not share one.
                raise EvaluationError(f"{path}:{n}: id {post.id!r} is also in {seen[post.id]}")
            seen[post.id] = path
            posts.append(post)
    return posts


def queue_rank(pred: Prediction) -> float:
    """The queue's order at equal age (``monitor`` weights by default): threats first.

    A copy of ``monitor.review.priority`` because this layer may not import ``monitor``; training
    chooses the threat threshold with it, and tests/monitor/review/test_priority.py keeps the
    two in step."""
    rank = {s: (len(SEVERITIES) - 1 - i) / (len(SEVERITIES) - 1) for i, s in enumerate(SEVERITIES)}
    return 0.6 * pred.p_hate + 0.3 * rank.get(pred.severity, 0.0) + \
        (1.0 if pred.severity == "threat" else 0.0)


def realistic_metrics(posts: Sequence[RealisticPost], preds: Sequence[Prediction],
                      threshold: float,
                      rank: Callable[[Prediction], float] = queue_rank) -> dict[str, Any]:
    """What an officer would feel: hate found, threats marked and on top, chatter below.

    A post counts as flagged when p(hate) reaches the threshold or it is labelled "threat";
    it is right when flagged exactly if it is hateful or a threat.
    """
    from sklearn.metrics import roc_auc_score

    y_hate = [p.hateful for p in posts]
    out: dict[str, Any] = {"n": len(posts), "hate": binary_metrics(
        y_hate, [pr.p_hate for pr in preds], threshold)}
    said_threat = np.array([pr.severity == "threat" for pr in preds])
    is_threat = np.array([bool(p.threat) for p in posts])
    out["threat"] = {
        "n": int(is_threat.sum()),
        "recall": _r(said_threat[is_threat].mean()) if is_threat.any() else None,
        "precision": _r(is_threat[said_threat].mean()) if said_threat.any() else None,
        "flagged": int(said_threat.sum()),
    }
    scores = np.array([rank(pr) for pr in preds])
    urgent = np.array([p.urgent_or_hateful for p in posts])
    order = np.argsort(-scores, kind="stable")
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(1, len(order) + 1)
    n_threats = int(is_threat.sum())
    out["queue"] = {
        "roc_auc": _r(roc_auc_score(urgent, scores)) if len(set(urgent.tolist())) == 2
        else None,
        "threats_within_first_n_plus_5": int((place[is_threat] <= n_threats + 5).sum()),
        "threats": n_threats,
        "worst_threat_place": int(place[is_threat].max()) if n_threats else None,
    }
    flagged = np.array([pr.p_hate >= threshold or pr.severity == "threat" for pr in preds])
    right = flagged == urgent

    def grouped(keys: list[str], mask: npt.NDArray[np.bool_] | None = None) -> dict[str, Any]:
        res: dict[str, Any] = {}
        for key in sorted(set(keys)):
            m = np.array([k == key for k in keys]) & (True if mask is None else mask)
            if m.any():
                res[key] = {"n": int(m.sum()), "accuracy": _r(right[m].mean()),
                            "threat_flagged": _r(said_threat[m].mean())}
        return res

    out["accuracy"] = _r(right.mean())
    out["accuracy_urgent_or_hateful"] = _r(right[urgent].mean()) if urgent.any() else None
    out["accuracy_benign"] = _r(right[~urgent].mean()) if (~urgent).any() else None
    out["by_family"] = grouped([p.family for p in posts])
    out["by_strand"] = grouped([p.strand for p in posts])
    named = [(p, pr) for p, pr in zip(posts, preds, strict=True)
             if p.hateful and p.strand != "none"]
    out["strand_named"] = {"n": len(named), "accuracy": _r(float(np.mean(
        [pr.top_strand == p.strand for p, pr in named]))) if named else None}
    return out
