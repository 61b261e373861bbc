"""Classifier versions: which one ranks the queue (live), which only score beside it (shadow).

A new version first runs in shadow: its scores are stored next to the live ones
(``Score.role == "shadow"``) and never touch queue priority. ``compare`` reports both on items an
officer has decided; ``promote`` makes a version live, retires the previous live one, audits the
switch and re-scores the open queue with the new model. Every score records its model version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, or_, select

from models import default_artefact, load_classifier
from models.types import EncoderOptions, Prediction, Scorer
from monitor.audit import chain as audit
from monitor.config import Settings
from monitor.review.priority import PriorityWeights, priority
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Score
from monitor.storage.tables.ops import ModelVersion
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow

ROLES = ("live", "shadow", "retired")
HATE_OUTCOMES = frozenset({"hate_intelligence", "possible_crime"})
BATCH = 256


class RegistryError(Exception):
    """A model version is unknown, already registered, or its artefact is unusable."""


def _read_config(path: Path) -> dict[str, Any]:
    config_path = path / "config.json"
    if not config_path.is_file():
        raise RegistryError(f"{path}: no config.json; not a classifier artefact directory")
    try:
        config: dict[str, Any] = json.loads(config_path.read_text(encoding="utf-8"))
    except ValueError as err:
        raise RegistryError(f"{config_path}: not JSON ({err})") from err
    if "version" not in config:
        raise RegistryError(f"{config_path}: has no 'version'")
    return config


def register_version(db: Database, path: str | Path, role: str = "shadow") -> ModelVersion:
    """Record an artefact directory as a known version (its card is the config's metrics)."""
    if role not in ("live", "shadow"):
        raise RegistryError(f"role {role!r}: register as 'live' or 'shadow'")
    directory = Path(path).resolve()
    config = _read_config(directory)
    version = str(config["version"])
    with db.write() as session:
        if session.get(ModelVersion, version) is not None:
            raise RegistryError(f"model version {version!r} is already registered")
        if role == "live":
            for old in session.exec(select(ModelVersion).where(ModelVersion.role == "live")):
                old.role = "retired"
                session.add(old)
        row = ModelVersion(
            version=version, path=str(directory), role=role,
            card={"metrics": config.get("metrics", {}), "training": config.get("training", {})},
            promoted_at=utcnow() if role == "live" else None,
        )
        session.add(row)
        audit.record(session, actor="system", action="model_register", object_type="model",
                     object_id=version, details={"path": str(directory), "role": role})
    return row


def list_versions(db: Database) -> list[ModelVersion]:
    with db.read() as session:
        return list(session.exec(select(ModelVersion).order_by(col(ModelVersion.created_at))))


def _get(session: Session, version: str) -> ModelVersion:
    row = session.get(ModelVersion, version)
    if row is None:
        raise RegistryError(f"model version {version!r} is not registered "
                            "(see 'hate-monitor model list')")
    return row


def encoder_options(settings: Settings) -> EncoderOptions:
    """How the configured encoder runs: ``model.quantize`` and ``model.backend``."""
    return EncoderOptions(quantize=bool(settings["model.quantize"]),
                          backend=str(settings["model.backend"]))


def load_version(settings: Settings, row: ModelVersion) -> Scorer:
    return load_classifier(row.path, settings["model.embedder"] or None,
                           **encoder_options(settings))


def live_scorer(settings: Settings, db: Database) -> Scorer:
    """The promoted live version if there is one, else the configured or shipped model."""
    with db.read() as session:
        row = session.exec(select(ModelVersion).where(ModelVersion.role == "live")).first()
    if row is not None:
        return load_version(settings, row)
    return load_classifier(settings["model.path"] or None, settings["model.embedder"] or None,
                           **encoder_options(settings))


def live_version(settings: Settings, db: Database) -> str:
    """The version ``live_scorer`` would load, read from the database or the artefact's
    config.json without loading the model (seconds saved where only the name is needed)."""
    with db.read() as session:
        row = session.exec(select(ModelVersion).where(ModelVersion.role == "live")).first()
    if row is not None:
        return row.version
    return str(_read_config(Path(settings["model.path"] or default_artefact()))["version"])


def shadow_scorers(db: Database, settings: Settings | None = None) -> list[Scorer]:
    with db.read() as session:
        rows = list(session.exec(select(ModelVersion).where(ModelVersion.role == "shadow")))
    embedder = settings["model.embedder"] or None if settings else None
    options = encoder_options(settings) if settings else EncoderOptions(quantize=False,
                                                                        backend="onnx")
    return [load_classifier(r.path, embedder, **options) for r in rows]


def _score_row(capture_id: int, version: str, role: str, pred: Prediction) -> Score:
    return Score(capture_id=capture_id, model_version=version, role=role, p_hate=pred.p_hate,
                 strands=dict(pred.strands), severity=pred.severity, language=pred.language,
                 language_supported=pred.language_supported,
                 explanation=dict(pred.explanation))


def _texts(db: Database, capture_ids: Sequence[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    with db.read() as session:
        for i in range(0, len(capture_ids), 500):
            chunk = list(capture_ids[i:i + 500])
            for cid, text in session.exec(
                select(Capture.id, Capture.text).where(col(Capture.id).in_(chunk))
            ):
                out[int(cid or 0)] = text
    return out


def score_shadow(db: Database, scorer: Scorer, capture_ids: Sequence[int]) -> int:
    """Store shadow scores for captures this version has not scored yet; returns how many.

    Shadow scores never change queue items or priorities.
    """
    version = scorer.model_version
    with db.read() as session:
        done = set(session.exec(select(Score.capture_id).where(
            Score.model_version == version, col(Score.capture_id).in_(list(capture_ids)))))
    todo = [c for c in dict.fromkeys(capture_ids) if c not in done]
    texts = _texts(db, todo)
    todo = [c for c in todo if c in texts]
    stored = 0
    for i in range(0, len(todo), BATCH):
        chunk = todo[i:i + BATCH]
        preds = scorer.predict([texts[c] for c in chunk])
        with db.write() as session:
            for cid, pred in zip(chunk, preds, strict=True):
                session.add(_score_row(cid, version, "shadow", pred))
        stored += len(chunk)
    return stored


@dataclass(frozen=True, slots=True)
class Comparison:
    version: str
    n: int
    accuracy: float | None
    f1: float | None
    roc_auc: float | None


def decided_labels(db: Database) -> dict[int, int]:
    """capture id → 1 (hate) / 0 (not hate) from decisions still in force (latest wins)."""
    labels: dict[int, int] = {}
    with db.read() as session:
        rows = session.exec(select(Decision).where(col(Decision.undone_at).is_(None))
                            .order_by(col(Decision.created_at), col(Decision.id)))
        for d in rows:
            if d.outcome == "not_hate":
                labels[d.capture_id] = 0
            elif d.outcome in HATE_OUTCOMES:
                labels[d.capture_id] = 1
    return labels


def compare(db: Database, version_a: str, version_b: str, *,
            scorers: Mapping[str, Scorer] | None = None,
            threshold: float = 0.5) -> list[Comparison]:
    """Accuracy, F1 and ROC-AUC of each version on decided items.

    Stored scores are used; decided captures a version never scored are scored in memory when
    ``scorers`` has that version (nothing is written).
    """
    from sklearn.metrics import f1_score, roc_auc_score

    labels = decided_labels(db)
    results: list[Comparison] = []
    for version in (version_a, version_b):
        with db.read() as session:
            stored = {s.capture_id: s for s in session.exec(select(Score).where(
                Score.model_version == version, col(Score.capture_id).in_(list(labels))))}
        p = {cid: s.p_hate for cid, s in stored.items() if s.language_supported}
        missing = [c for c in labels if c not in stored]
        if missing and scorers and version in scorers:
            texts = _texts(db, missing)
            ids = [c for c in missing if c in texts]
            for cid, pred in zip(ids, scorers[version].predict([texts[c] for c in ids]),
                                 strict=True):
                if pred.language_supported:
                    p[cid] = pred.p_hate
        ids = sorted(p)
        y = [labels[c] for c in ids]
        pred_y = [int(p[c] >= threshold) for c in ids]
        both = len(set(y)) == 2
        results.append(Comparison(
            version=version, n=len(ids),
            accuracy=round(sum(a == b for a, b in zip(y, pred_y, strict=True)) / len(ids), 4)
            if ids else None,
            f1=round(float(f1_score(y, pred_y, zero_division=0)), 4) if ids else None,
            roc_auc=round(float(roc_auc_score(y, [p[c] for c in ids])), 4) if both else None,
        ))
    return results


def promote(db: Database, version: str, actor: str, *, scorer: Scorer,
            weights: PriorityWeights) -> int:
    """Make ``version`` live, retire the old live one, audit it, re-score the open queue.

    ``scorer`` must be the model of ``version`` (the caller loads it). Returns the number of
    open queue items re-scored. Inference runs before the write transaction.
    """
    if scorer.model_version != version:
        raise RegistryError(f"scorer is {scorer.model_version!r}, not {version!r}")
    with db.read() as session:
        _get(session, version)
    open_items, preds = _predict_open(db, scorer, stale_only=False)
    now = utcnow()
    with db.write() as session:
        row = _get(session, version)
        previous = [r for r in session.exec(select(ModelVersion).where(
            ModelVersion.role == "live")) if r.version != version]
        for old in previous:
            old.role = "retired"
            session.add(old)
        row.role = "live"
        row.promoted_at = now
        session.add(row)
        rescored = _rescore_open(session, open_items, preds, version, weights)
        audit.record(session, actor=actor, action="model_promote", object_type="model",
                     object_id=version, reason="promoted to live",
                     details={"previous": [r.version for r in previous],
                              "rescored_open_items": rescored})
    return rescored


def open_queue_versions(db: Database) -> dict[str, int]:
    """How many open queue items each model version's score ranks (the queue's provenance)."""
    with db.read() as session:
        rows = session.exec(
            select(Score.model_version, func.count())
            .join(QueueItem, col(QueueItem.score_id) == col(Score.id))
            .where(QueueItem.status == "open").group_by(Score.model_version))
        return {str(v): int(n) for v, n in rows}


def ranked_by_others(ranked: Mapping[str, int], live: str) -> dict[str, int]:
    """The part of ``open_queue_versions`` that an earlier model ranks, not ``live``: what
    ``rescore_open`` would re-score, and what ``model list`` and ``serve`` warn about."""
    return {v: n for v, n in ranked.items() if v != live}


def rescore_open(db: Database, scorer: Scorer, actor: str, *, weights: PriorityWeights) -> int:
    """Re-score the open items that an earlier model ranked with ``scorer`` (the live model).

    After an upgrade ships a new default model, or the configured ``model.path`` changes, the
    open queue would otherwise stay ranked by the old model's scores and threat threshold while
    new posts get the new one's. Items already scored by this version are left alone, so a
    second run does nothing. Audited. Inference runs before the write transaction.
    """
    version = scorer.model_version
    before = open_queue_versions(db)
    open_items, preds = _predict_open(db, scorer, stale_only=True)
    if not open_items:
        return 0
    with db.write() as session:
        rescored = _rescore_open(session, open_items, preds, version, weights)
        audit.record(session, actor=actor, action="model_rescore", object_type="model",
                     object_id=version, reason="open queue re-scored by the live model",
                     details={"rescored_open_items": rescored,
                              "previous": ranked_by_others(before, version)})
    return rescored


def _predict_open(db: Database, scorer: Scorer, *, stale_only: bool,
                  ) -> tuple[list[tuple[int, int]], dict[int, Prediction]]:
    """The open queue items (id, capture id), all or those not scored by ``scorer``'s version,
    and ``scorer``'s predictions for their captures, in batches."""
    query = select(QueueItem.id, QueueItem.capture_id).where(QueueItem.status == "open")
    if stale_only:
        query = query.join(Score, col(QueueItem.score_id) == col(Score.id), isouter=True).where(
            or_(col(Score.model_version).is_(None), Score.model_version != scorer.model_version))
    with db.read() as session:
        open_items = [(int(i or 0), int(c)) for i, c in session.exec(query)]
    texts = _texts(db, [c for _, c in open_items])
    preds: dict[int, Prediction] = {}
    caps = [c for _, c in open_items if c in texts]
    for i in range(0, len(caps), BATCH):
        chunk = caps[i:i + BATCH]
        preds.update(zip(chunk, scorer.predict([texts[c] for c in chunk]), strict=True))
    return open_items, preds


def _rescore_open(session: Session, open_items: Sequence[tuple[int, int]],
                  preds: Mapping[int, Prediction], version: str,
                  weights: PriorityWeights) -> int:
    rescored = 0
    for item_id, _cap in open_items:
        item = session.get(QueueItem, item_id)
        if item is None or item.status != "open" or item.capture_id not in preds:
            continue  # decided or re-pointed since we read it: leave it alone
        rescored += _rescore_item(session, item, preds[item.capture_id], version, weights)
    return rescored


def _rescore_item(session: Session, item: QueueItem, pred: Prediction, version: str,
                  weights: PriorityWeights) -> int:
    capture = session.get(Capture, item.capture_id)
    if capture is None:
        return 0
    score = session.exec(select(Score).where(Score.capture_id == item.capture_id,
                                             Score.model_version == version)).first()
    fresh = _score_row(item.capture_id, version, "live", pred)
    if score is None:
        score = fresh
    else:  # a shadow score of this version becomes its live score
        for field in ("role", "p_hate", "strands", "severity", "language",
                      "language_supported", "explanation"):
            setattr(score, field, getattr(fresh, field))
    session.add(score)
    session.flush()
    item.score_id = score.id
    item.p_hate = pred.p_hate
    item.severity = pred.severity
    item.top_strand = pred.top_strand
    item.language_supported = pred.language_supported
    # Same clock as the pipeline: recency measured at the moment the item was queued.
    item.priority = priority(pred, capture.created_at, item.created_at, weights)
    item.updated_at = utcnow()
    session.add(item)
    return 1
