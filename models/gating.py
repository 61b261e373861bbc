"""How the heads' outputs combine into one ``Prediction``: threat override and strand gating.

Two rules, both chosen so the most urgent items cannot hide behind an unsure generic head:

- **Threat override.** p(threat) — "a threat or call to violence against people identified by
  a protected characteristic" — is scored on every post, whatever p(hate) says: the larger of a
  dedicated threat head (Platt-calibrated) and p(hate head) × p(threat | hate) from the
  severity head (prior-corrected, see ``HateClassifier._p_threat``). That probability is a
  lower bound on p(hate) (every such threat is hate), so the reported p(hate) is at least
  ``p_threat``. When ``p_threat`` reaches the threat threshold (set lower than the hate
  threshold: a missed threat is the worst failure) the post is a threat: severity "threat" and
  p(hate) lifted to at least ``THREAT_FLOOR`` (or the hate threshold if higher), so the queue's
  threat boost (``priority.threat_min_p``, 0.5 by default) and urgent alerts
  apply. That lift trades calibration for recall, on purpose.
- **Strand gating.** The strand head says which group a text is *about*, hateful or not. The
  queue needs "hate against which group", so each reported strand probability is
  ``p(about group) × p(hate)``; a benign post therefore has low strands and (below
  ``TOP_STRAND_MIN`` in ``models.types``) no ``top_strand`` at all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


# Where a fired threat's p(hate) starts: the queue's default threat_min_p, so a threat gets its
# boost even when a balanced decision threshold sits well below 0.5.
THREAT_FLOOR = 0.5


@dataclass(frozen=True, slots=True)
class Combined:
    p_hate: float  # reported p(hate): the hate head raised by a confident threat
    p_hate_head: float  # the generic head alone (kept for the explanation)
    p_threat: float
    threat: bool  # the threat head fired


def combine(p_hate: float, p_threat: float, threat_threshold: float,
            threshold: float) -> Combined:
    threat = p_threat >= threat_threshold
    p = max(p_hate, p_threat, max(threshold, THREAT_FLOOR) if threat else 0.0)
    return Combined(p_hate=p, p_hate_head=p_hate, p_threat=p_threat, threat=threat)


def combined_p(p_hate: Floats, p_threat: Floats, threat_threshold: float,
               threshold: float) -> Floats:
    """Vectorised ``combine(...).p_hate`` for evaluation and cross-validation."""
    floor = np.where(p_threat >= threat_threshold, max(threshold, THREAT_FLOOR), 0.0)
    out: Floats = np.maximum(np.maximum(p_hate, p_threat), floor).astype(np.float32)
    return out


def gate_strands(about: dict[str, float], p_hate: float) -> dict[str, float]:
    """p(hate about this group) = p(about this group) × p(hate)."""
    return {s: round(float(v) * p_hate, 4) for s, v in about.items()}


def severity(c: Combined, sev_probs: dict[str, float], threshold: float) -> tuple[str, str]:
    """The severity label and a one-line reason for it."""
    if c.threat:
        return "threat", (f"threat head {c.p_threat:.2f}: a threat or call to violence against "
                          "a protected group, flagged whatever the generic p(hate) says")
    if c.p_hate >= threshold:
        # "threat" is decided by p(threat) alone, so one number explains every threat label.
        rest = {k: v for k, v in sev_probs.items() if k != "threat"} or {"derogation": 1.0}
        label = max(rest, key=lambda k: rest[k])
        return label, (f"p(hate) {c.p_hate:.2f} ≥ {threshold}, p(threat) {c.p_threat:.2f} below "
                       f"the threat threshold: most likely form is {label}")
    return "none", f"p(hate) {c.p_hate:.2f} < {threshold} and no threat: no severity assigned"
