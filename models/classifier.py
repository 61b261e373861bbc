"""``HateClassifier``: frozen sentence embeddings + small heads, calibrated, explained.

sklearn's shape (``fit``, ``predict_proba``, ``save``, ``load``) and the pipeline's ``Scorer``
protocol (``model_version``, ``predict(texts) -> list[Prediction]``). Four heads share one
embedding: p(hate) (Platt-calibrated on rows held out from the head's training), one probability
per strand (which protected group the text is about, hateful or not), severity among hateful
texts, and a threat head (a threat or call to violence against anyone, calibrated the same way)
applied to every post. A post of several sentences is read whole and sentence by sentence in
one batch (``models.segments``), the strongest reading deciding. ``models.gating`` combines the
heads: a confident threat sets severity "threat" whoever it targets, and raises p(hate) when it
is aimed at a protected group; strands are scaled by p(hate).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models import artefact, gating, heads, segments
from models.embedding import Encoder, Matrix
from models.language import detect
from models.types import DEFAULT_STRANDS, SEVERITIES, UNKNOWN_STRAND, Prediction

HATEFUL_SEVERITIES: tuple[str, ...] = tuple(s for s in SEVERITIES if s != "none")
NEUTRAL_P = 0.5
BALANCED_PRIOR = 1.0 / len(HATEFUL_SEVERITIES)
SNIPPET = 140


@dataclass(frozen=True, slots=True)
class TrainOptions:
    """How the heads are fitted; validated so a typo fails before a long run."""

    head: str = "logistic"  # logistic | mlp
    c: float = 1.0
    hidden: int = 256
    calibration_fraction: float = 0.15
    threshold: float = 0.5
    # Set ``threshold`` at fit time to the calibration rows' share of hate: Platt-calibrated
    # p(hate) above the base rate means hate is likelier than for a typical row, which weighs
    # a missed hateful post and a false alarm equally (balanced accuracy) instead of letting
    # the training mix's 1:2 prior decide.
    balanced_threshold: bool = False
    # Lower than ``threshold``: recall matters most for threats (``models.gating``).
    threat_threshold: float = 0.2
    threat_hidden: int = 128
    # MLPs averaged into the threat head (``heads.average``): one alone moved development
    # threats in and out of the queue's first places with its seed.
    threat_members: int = 5
    threat_from_severity: bool = True
    seed: int = 13
    neighbours: int = 3

    def __post_init__(self) -> None:
        if self.head not in ("logistic", "mlp"):
            raise ValueError(f"TrainOptions.head={self.head!r}: expected 'logistic' or 'mlp'")
        if not 0.05 <= self.calibration_fraction <= 0.5:
            raise ValueError(f"calibration_fraction={self.calibration_fraction}: use 0.05-0.5")
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold={self.threshold}: must be between 0 and 1")
        if not 0.0 < self.threat_threshold < 1.0:
            raise ValueError(f"threat_threshold={self.threat_threshold}: must be between 0 and 1")
        if self.c <= 0 or min(self.hidden, self.threat_hidden, self.threat_members) < 1 \
                or self.neighbours < 0:
            raise ValueError("c must be > 0, hidden, threat_hidden and threat_members >= 1, "
                             "neighbours >= 0")


@dataclass(frozen=True, slots=True)
class Exemplar:
    """A labelled text we may ship and show to the officer as a nearest example."""

    text: str
    hateful: int
    strand: str | None = None
    severity: str = "none"
    source: str = "contrast"


class NotFittedError(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class _Reading:
    """Posts read whole and part by part: what ``predict`` and ``predict_proba`` share."""

    reads: list[str]  # every text encoded: each post, then its parts
    rows_of: list[list[int]]  # per post, its rows in ``reads`` (the whole post first)
    x: Matrix
    drivers: list[int]  # per post, the row whose reading decided
    about: npt.NDArray[np.float32]  # per post, p(about each strand) over whole and driver
    combined: list[gating.Combined]


class HateClassifier:
    def __init__(
        self,
        embedder: Encoder | None = None,
        *,
        strands: Sequence[str] = DEFAULT_STRANDS,
        options: TrainOptions | None = None,
    ) -> None:
        if not strands or len(set(strands)) != len(strands):
            raise ValueError(f"strands must be distinct names, got {list(strands)!r}")
        self._embedder = embedder
        self.strands = tuple(strands)
        self.options = options or TrainOptions()
        self.metrics: dict[str, Any] = {}
        self.training: dict[str, Any] = {}
        self.card: str | None = None
        self._version: str | None = None
        self._hate: heads.Layers | None = None
        self._platt = (1.0, 0.0)
        self._strand: heads.Layers | None = None
        self._severity: heads.Layers | None = None
        # None: an artefact from before the threat head; it then never overrides anything.
        self._threat: heads.Layers | None = None
        self._threat_platt = (1.0, 0.0)
        # Share of threats among hateful rows with a known severity. The severity head is
        # trained class-balanced (a 1/3 prior each), so p(threat | hate) is corrected to this.
        self._threat_prior = BALANCED_PRIOR
        self._exemplars: list[Exemplar] = []
        self._exemplar_x: Matrix = np.zeros((0, 0), np.float32)
        # LoRA matrices the encoder needs (``models.tuning``); None: the plain base encoder.
        self._adapter: dict[str, npt.NDArray[np.float32]] | None = None

    # -- the Scorer protocol ---------------------------------------------------------------
    @property
    def model_version(self) -> str:
        if self._version is None:
            raise NotFittedError("the classifier has not been fitted or loaded")
        return self._version

    @property
    def embedder(self) -> Encoder:
        if self._embedder is None:
            from models.embedding import Embedder

            self._embedder = Embedder(adapter=self._adapter)
        return self._embedder

    @property
    def adapter(self) -> dict[str, npt.NDArray[np.float32]] | None:
        """The encoder adapter this model was fitted with (it travels in the artefact)."""
        if self._embedder is not None:
            return getattr(self._embedder, "adapter", None)
        return self._adapter

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Score posts: gated by language, calibrated, with strands, severity, explanation.

        A post of several sentences is read whole and part by part (``_Reading``); the
        strongest reading decides, so one hateful or threatening sentence is enough, and the
        explanation names it.
        """
        if not texts:
            return []
        guesses = [detect(t) for t in texts]
        r = self._read(texts, [g.supported for g in guesses])
        sev_p = heads.softmax(heads.forward(r.x[r.drivers], self._need(self._severity)))
        near = self._nearest(r.x[r.drivers])
        out: list[Prediction] = []
        for i, guess in enumerate(guesses):
            if not guess.supported:
                out.append(Prediction(
                    NEUTRAL_P, {}, "none", language=guess.language, language_supported=False,
                    explanation={
                        "model_version": self.model_version,
                        "language": guess.language,
                        "summary": f"language {guess.language!r} not supported: the model reads "
                                   f"English only; neutral p(hate) {NEUTRAL_P}, no judgement made",
                    },
                ))
                continue
            about = {s: round(float(r.about[i, j]), 4) for j, s in enumerate(self.strands)}
            drive = r.drivers[i]
            read = {"parts": len(r.rows_of[i]) - 1,
                    "driver": "whole post" if drive == r.rows_of[i][0] else
                    r.reads[drive][:SNIPPET]}
            out.append(self._prediction(r.combined[i], about, sev_p[i], near[i], guess.language,
                                        read))
        return out

    def _read(self, texts: Sequence[str], split: Sequence[bool]) -> _Reading:
        """Every post whole and (where ``split``) sentence by sentence, in one encoder call."""
        reads: list[str] = []
        rows_of: list[list[int]] = []
        for text, parts_too in zip(texts, split, strict=True):
            extra = segments.parts(text) if parts_too else []
            rows_of.append(list(range(len(reads), len(reads) + 1 + len(extra))))
            reads += [text, *extra]
        x = self.embedder.encode(reads)
        p, p_threat, strand_p = self._p_hate_head(x), self._p_threat(x), self._about(x)
        o = self.options
        drivers: list[int] = []
        about = np.zeros((len(texts), len(self.strands)), np.float32)
        combined: list[gating.Combined] = []
        for i, rows in enumerate(rows_of):
            # The reading with the strongest signal drives; the whole post wins ties.
            drive = max(rows, key=lambda r: (max(float(p[r]), float(p_threat[r])), r == rows[0]))
            drivers.append(drive)
            # The group may be named in another sentence than the attack on it.
            about[i] = np.maximum(strand_p[rows[0]], strand_p[drive])
            combined.append(gating.combine(float(p[rows].max()), float(p_threat[rows].max()),
                                           float(about[i].max()), o.threat_threshold,
                                           o.threshold))
        return _Reading(reads, rows_of, x, drivers, about, combined)

    def _prediction(self, c: gating.Combined, about: dict[str, float],
                    sev: npt.NDArray[np.float32], near: list[dict[str, Any]],
                    language: str | None, read: dict[str, Any]) -> Prediction:
        p = c.p_hate
        strands = gating.gate_strands(about, p)
        sev_probs = {s: round(float(sev[j]), 4) for j, s in enumerate(HATEFUL_SEVERITIES)}
        severity, why = gating.severity(c, sev_probs, self.options.threshold)
        pred = Prediction(round(p, 4), strands, severity, language=language)
        top = pred.top_strand
        target = ("target group unknown" if top == UNKNOWN_STRAND else
                  f"against {top} ({strands[top]:.2f})" if top else "no protected group targeted")
        driven = "" if read["driver"] == "whole post" else \
            f"; driven by the part: \u201c{read['driver']}\u201d"
        explanation = {
            "model_version": self.model_version,
            "summary": f"p(hate) {p:.2f}; {target}; severity {severity}{driven}",
            "p_hate": {"reported": round(p, 4), "hate_head": round(c.p_hate_head, 4),
                       "threat_head": round(c.p_threat, 4), "p_group": round(c.p_group, 4),
                       "why": "reported p(hate) is the larger of the hate head and p(threat) × "
                              "p(about a protected group): a threat against a group is hate"},
            "read": {**read, "why": "a post of several sentences is read whole and sentence by "
                                    "sentence; the strongest reading decides"},
            "strand": {"top": top, "p": strands.get(top) if top else None, "about": about,
                       "why": "p(about the group) from the strand head × p(hate)"},
            "severity": {"label": severity, "p": sev_probs, "p_threat": round(c.p_threat, 4),
                         "why": why},
            "nearest": near,
        }
        return Prediction(round(p, 4), strands, severity, language=language,
                          language_supported=True, explanation=explanation)

    # -- sklearn shape -------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """[[p(not), p(hate)], ...] as ``predict`` reports it, without language gating (for
        evaluation: the sets are English)."""
        if not texts:
            return np.zeros((0, 2), np.float64)
        r = self._read(texts, [True] * len(texts))
        p = np.array([c.p_hate for c in r.combined], dtype=np.float64)
        return np.column_stack([1.0 - p, p])

    def predict_labels(self, texts: Sequence[str]) -> npt.NDArray[np.int64]:
        return (self.predict_proba(texts)[:, 1] >= self.options.threshold).astype(np.int64)

    def fit(
        self,
        texts: Sequence[str],
        y: Sequence[int],
        *,
        strand_labels: Sequence[Sequence[str] | None] | None = None,
        severities: Sequence[str | None] | None = None,
        sample_weight: Sequence[float] | None = None,
        exemplars: Sequence[Exemplar] = (),
    ) -> HateClassifier:
        x = self.embedder.encode(list(texts)) if texts else None
        if x is None:
            raise ValueError("fit needs at least one text")
        ex_x = self.embedder.encode([e.text for e in exemplars]) if exemplars else None
        return self.fit_embeddings(x, y, strand_labels=strand_labels, severities=severities,
                                   sample_weight=sample_weight, exemplars=exemplars,
                                   exemplar_x=ex_x)

    def fit_embeddings(
        self,
        x: Matrix,
        y: Sequence[int],
        *,
        strand_labels: Sequence[Sequence[str] | None] | None = None,
        severities: Sequence[str | None] | None = None,
        threats: Sequence[int | None] | None = None,
        sample_weight: Sequence[float] | None = None,
        exemplars: Sequence[Exemplar] = (),
        exemplar_x: Matrix | None = None,
        hate_only: bool = False,
    ) -> HateClassifier:
        """Fit on precomputed embeddings (training caches them; cross-validation reuses them).

        ``hate_only`` skips the strand head (cross-validation scores p(hate) only; the severity
        and threat heads feed the reported p(hate), so they are always fitted). ``threats``
        says per row whether it threatens anyone (1/0, None: unknown); without it a row is a
        threat when hateful with severity "threat".
        """
        o = self.options
        yy = np.asarray(y, dtype=np.int64)
        if len(yy) != len(x) or len(set(yy.tolist())) != 2:
            raise ValueError("fit needs one label per text and both classes present")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        rng = np.random.default_rng(o.seed)
        calib = np.zeros(len(yy), dtype=bool)
        for cls in (0, 1):  # stratified hold-out for calibration
            idx = np.flatnonzero(yy == cls)
            n_cal = max(1, int(len(idx) * o.calibration_fraction))
            calib[rng.choice(idx, n_cal, replace=False)] = True
        fit_w = None if w is None else w[~calib]
        self._hate = heads.fit_binary(x[~calib], yy[~calib], fit_w, kind=o.head, c=o.c,
                                      hidden=o.hidden, seed=o.seed)
        raw = heads.forward(x[calib], self._hate)[:, 0]
        self._platt = heads.fit_platt(raw, yy[calib])
        if o.balanced_threshold:
            o = self.options = replace(o, threshold=round(float(yy[calib].mean()), 4))
        self._strand = self._fit_strands(x, None if hate_only else strand_labels)
        self._severity = self._fit_severity(x, yy, severities)
        # Fitted even for cross-validation: it changes the reported p(hate).
        if threats is None:
            threats = [None if lab == 1 and sev is None else int(lab == 1 and sev == "threat")
                       for lab, sev in zip(yy.tolist(), severities or [None] * len(yy),
                                           strict=True)]
        self._threat, self._threat_platt = self._fit_threat(x, threats, calib, w)
        sev_known = [s for s, lab in zip(severities or [], yy, strict=False)
                     if lab == 1 and s in HATEFUL_SEVERITIES]
        self._threat_prior = (sum(s == "threat" for s in sev_known) / len(sev_known)
                              if sev_known else BALANCED_PRIOR)
        self._exemplars = list(exemplars)
        if exemplars and exemplar_x is not None:
            self._exemplar_x = np.asarray(exemplar_x, dtype=np.float32)
        ident = artefact.content_id({**self._arrays(), **(self.adapter or {})})
        self._version = f"hm-{dt.datetime.now(dt.UTC):%Y%m%d}-{ident}"
        return self

    def _fit_strands(self, x: Matrix,
                     labels: Sequence[Sequence[str] | None] | None) -> heads.Layers:
        k = len(self.strands)
        rows = [i for i, lab in enumerate(labels or []) if lab is not None]
        if not rows:
            return [(np.zeros((x.shape[1], k), np.float32), np.full(k, -4.0, np.float32))]
        y = np.zeros((len(rows), k), dtype=np.int64)
        for r, i in enumerate(rows):
            for s in labels[i] or ():  # type: ignore[index]
                if s in self.strands:
                    y[r, self.strands.index(s)] = 1
        return heads.fit_multilabel(x[rows], y, c=self.options.c, seed=self.options.seed)

    def _fit_severity(self, x: Matrix, y: npt.NDArray[np.int64],
                      severities: Sequence[str | None] | None) -> heads.Layers:
        order = HATEFUL_SEVERITIES
        rows = [i for i, s in enumerate(severities or []) if s in order and y[i] == 1]
        classes = {order.index(severities[i]) for i in rows}  # type: ignore[index, arg-type]
        if len(classes) < 2:
            # Without severity data, say "derogation": the least urgent hateful form.
            b = np.full(len(order), -4.0, np.float32)
            b[order.index("derogation")] = 4.0
            return [(np.zeros((x.shape[1], len(order)), np.float32), b)]
        sev_y = np.array([order.index(severities[i]) for i in rows],  # type: ignore[index, arg-type]
                         dtype=np.int64)
        return heads.fit_multiclass(x[rows], sev_y, len(order), c=self.options.c,
                                    seed=self.options.seed)

    def _fit_threat(self, x: Matrix, threats: Sequence[int | None],
                    calib: npt.NDArray[np.bool_], weight: npt.NDArray[np.float64] | None,
                    ) -> tuple[heads.Layers, tuple[float, float]]:
        """A threat or call to violence against anyone vs everything else known not to be.

        Rows whose threat label is unknown (hateful corpus rows without a severity) are left
        out: they may be threats. Rows weigh what they weigh for the hate head (posts written
        in the officers' register count more), then the two classes are balanced.
        """
        known = np.array([t is not None for t in threats])
        t = np.array([int(v or 0) for v in threats])
        fit_rows, cal_rows = known & ~calib, known & calib
        if len(set(t[fit_rows].tolist())) < 2 or len(set(t[cal_rows].tolist())) < 2:
            # No threat data: a head that never fires.
            return [(np.zeros((x.shape[1], 1), np.float32), np.full(1, -8.0, np.float32))], \
                (1.0, 0.0)
        y = t[fit_rows]
        w = heads.balanced(np.ones(len(y)) if weight is None else weight[fit_rows], y)
        # A small MLP: "violent intent" AND "aimed at people" (not a printer, a match or a
        # character in a game) is not linear in the embedding.
        o = self.options
        layers = heads.fit_binary(x[fit_rows], y, w, kind="mlp", c=o.c,
                                  hidden=o.threat_hidden, seed=o.seed, members=o.threat_members)
        platt = heads.fit_platt(heads.forward(x[cal_rows], layers)[:, 0], t[cal_rows])
        return layers, platt

    @staticmethod
    def _adapted(path: Path, embedder: Encoder | None,
                 adapter: dict[str, npt.NDArray[np.float32]]) -> Encoder | None:
        """The configured encoder with the artefact's adapter merged (None: load lazily)."""
        from models.tuning import adapter_id

        if embedder is None:
            return None
        own = getattr(embedder, "adapter", None)
        if own is not None and adapter_id(own) == adapter_id(adapter):
            return embedder
        with_adapter = getattr(embedder, "with_adapter", None)
        if with_adapter is None:
            raise artefact.ArtefactError(
                f"{path}: the model needs its encoder adapter merged into a sentence-transformers "
                f"model, but the configured embedder {embedder.name!r} cannot take one")
        adapted: Encoder = with_adapter(adapter)
        return adapted

    # -- internals -----------------------------------------------------------------------
    @staticmethod
    def _need(layers: heads.Layers | None) -> heads.Layers:
        if layers is None:
            raise NotFittedError("the classifier has not been fitted or loaded")
        return layers

    def _p_hate_head(self, x: Matrix) -> npt.NDArray[np.float32]:
        raw = heads.forward(x, self._need(self._hate))[:, 0]
        a, b = self._platt
        return heads.sigmoid(a * raw + b)

    def _about(self, x: Matrix) -> npt.NDArray[np.float32]:
        """p(the text is about each strand's group), hateful or not; columns = ``strands``."""
        return heads.sigmoid(heads.forward(x, self._need(self._strand)))

    def _p_threat(self, x: Matrix) -> npt.NDArray[np.float32]:
        """p(threat or call to violence against anyone): the larger of two estimates.

        The threat head, and p(hate) × p(threat | hate) from the hate and severity heads; the
        second catches threats whose wording the threat head has not seen but whose hate and
        severity are each clear enough.
        """
        if self._threat is None:
            return np.zeros(len(x), np.float32)
        a, b = self._threat_platt
        head = heads.sigmoid(a * heads.forward(x, self._threat)[:, 0] + b)
        if not self.options.threat_from_severity:
            return head
        sev = heads.softmax(heads.forward(x, self._need(self._severity)))
        t = sev[:, HATEFUL_SEVERITIES.index("threat")]
        # Prior shift (Saerens et al. 2002) from the balanced training prior to the real one.
        r = self._threat_prior / BALANCED_PRIOR
        q = (1.0 - self._threat_prior) / (1.0 - BALANCED_PRIOR)
        t = (t * r / np.maximum(t * r + (1.0 - t) * q, 1e-9)).astype(np.float32)
        joint = self._p_hate_head(x) * t
        out: npt.NDArray[np.float32] = np.maximum(head, joint).astype(np.float32)
        return out

    def _p_hate(self, x: Matrix) -> npt.NDArray[np.float32]:
        """Reported p(hate): the hate head raised by a confident threat (``models.gating``)."""
        o = self.options
        return gating.combined_p(self._p_hate_head(x), self._p_threat(x),
                                 self._about(x).max(axis=1), o.threat_threshold, o.threshold)

    def _nearest(self, x: Matrix) -> list[list[dict[str, Any]]]:
        k = self.options.neighbours
        if not self._exemplars or k == 0 or self._exemplar_x.size == 0:
            return [[] for _ in range(len(x))]
        sims = x @ self._exemplar_x.T
        # The k best (k is a handful) by k passes of argmax over thousands of candidates: a
        # full sort of every row cost as much as a tenth of the encoder, a partition half that.
        k = min(k, sims.shape[1])
        rows = np.arange(len(sims))
        work = sims.copy()
        top = np.empty((len(sims), k), np.int64)
        for j in range(k):
            top[:, j] = work.argmax(axis=1)
            work[rows, top[:, j]] = -np.inf
        out: list[list[dict[str, Any]]] = []
        for i, row in enumerate(top):
            items = []
            for j in row:
                ex = self._exemplars[int(j)]
                items.append({"text": ex.text[:SNIPPET], "label": "hateful" if ex.hateful
                              else "not hateful", "strand": ex.strand, "severity": ex.severity,
                              "source": ex.source, "similarity": round(float(sims[i, j]), 3)})
            out.append(items)
        return out

    def _arrays(self) -> dict[str, Any]:
        arrays: dict[str, Any] = {}
        arrays.update(heads.pack("hate", self._need(self._hate)))
        arrays.update(heads.pack("strand", self._need(self._strand)))
        arrays.update(heads.pack("severity", self._need(self._severity)))
        arrays["platt"] = np.array(self._platt, dtype=np.float32)
        if self._threat is not None:
            arrays.update(heads.pack("threat", self._threat))
            arrays["threat_platt"] = np.array(self._threat_platt, dtype=np.float32)
            arrays["threat_prior"] = np.array([self._threat_prior], dtype=np.float32)
        if self._exemplar_x.size:
            arrays["exemplars"] = self._exemplar_x.astype(np.float16)
        return arrays

    # -- persistence ---------------------------------------------------------------------
    def save(self, directory: str | Path, *, card: str | None = None) -> Path:
        """Write the artefact (no pickle) with its manifest of content hashes."""
        from models.card import render_card

        path = Path(directory)
        adapter = self.adapter
        encoder: dict[str, Any] = {"name": self.embedder.name, "dimension": self.embedder.dimension}
        if adapter:
            from models.tuning import adapter_id

            encoder["adapter"] = {"file": artefact.ADAPTER, "kind": "lora",
                                  "id": adapter_id(adapter)}
        config = {
            "version": self.model_version,
            "embedder": encoder,
            "strands": list(self.strands),
            "severities": list(HATEFUL_SEVERITIES),
            "options": asdict(self.options),
            "metrics": self.metrics,
            "training": self.training,
        }
        exemplars = [asdict(e) for e in self._exemplars]
        text = card or self.card or render_card(config)
        artefact.write(path, self._arrays(), config, exemplars, text, adapter=adapter)
        return path

    @classmethod
    def load(cls, directory: str | Path, embedder: Encoder | None = None) -> HateClassifier:
        """Load an artefact after checking its content hashes; refuses anything altered."""
        path = Path(directory)
        arrays, config, exemplars = artefact.read(path)
        try:
            options = TrainOptions(**config["options"])
            model = cls(embedder, strands=config["strands"], options=options)
            model._hate = heads.unpack("hate", arrays)
            model._strand = heads.unpack("strand", arrays)
            model._severity = heads.unpack("severity", arrays)
            a, b = (float(v) for v in arrays["platt"])
            model._platt = (a, b)
            if "threat.0.weight" in arrays:
                model._threat = heads.unpack("threat", arrays)
                ta, tb = (float(v) for v in arrays["threat_platt"])
                model._threat_platt = (ta, tb)
                model._threat_prior = float(arrays["threat_prior"][0])
            model._exemplars = [Exemplar(**e) for e in exemplars]
            if "exemplars" in arrays:
                model._exemplar_x = arrays["exemplars"].astype(np.float32)
            model._version = str(config["version"])
            model.metrics = dict(config.get("metrics", {}))
            model.training = dict(config.get("training", {}))
            expected = config["embedder"]
        except (KeyError, TypeError, ValueError) as err:
            raise artefact.ArtefactError(f"{path}: unusable classifier config ({err})") from err
        adapter = artefact.read_adapter(path)
        if adapter:
            model._adapter = adapter
            model._embedder = cls._adapted(path, embedder, adapter)
            embedder = model._embedder
        if embedder is not None and embedder.dimension != int(expected["dimension"]):
            raise artefact.ArtefactError(
                f"{path}: trained on {expected['name']!r} ({expected['dimension']}-d embeddings) "
                f"but the configured embedder {embedder.name!r} gives {embedder.dimension}-d"
            )
        return model
