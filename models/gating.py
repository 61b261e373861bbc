"""How the heads' outputs combine into one ``Prediction``: threats, hate from threats, strands.

Three rules, chosen so the most urgent items cannot hide behind an unsure generic head:

- **A threat is its own signal.** p(threat) — "a threat or call to violence against a person or
  a group", protected or not — is scored on every post, whatever p(hate) says: the larger of a
  dedicated threat head (Platt-calibrated) and p(hate head) × p(threat | hate) from the
  severity head (prior-corrected, see ``HateClassifier._p_threat``). At or above the threat
  threshold (set lower than the hate threshold: a missed threat is the worst failure) the post
  gets severity "threat", whoever it targets: threats to kill, arson and menaces are possible
  crimes (Malicious Communications Act 1988 s1, Online Safety Act 2023 s181) whether or not a
  protected group is named. No other head's threshold can take that label away.
- **Hate from a threat.** A threat against people identified by a protected characteristic is
  hate, so the reported p(hate) is at least p(threat) × p(group), where p(group) is the strand
  head's probability that the post is about some protected group. A fired threat that is about
  a group (p(group) ≥ ``GROUP_MIN``) also lifts p(hate) to ``THREAT_FLOOR`` (or the hate
  threshold if higher). A threat at a neighbour or a councillor keeps the hate head's p(hate)
  and is labelled "threat" with no strand ("target group unknown").
- **Strand gating.** The strand head says which group a text is *about*, hateful or not. The
  queue needs "hate against which group", so each reported strand probability is
  ``p(about group) × p(hate)``; a benign post therefore has low strands and (below
  ``TOP_STRAND_MIN`` in ``models.types``) no ``top_strand`` at all; a threat with no group
  inferred has ``top_strand`` "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]


# Where a fired threat against a group starts: the queue's former threat_min_p, so such a threat
# reads as hate even when a balanced decision threshold sits well below 0.5.
THREAT_FLOOR = 0.5
# p(about some protected group) from which a fired threat counts as a threat against a group.
GROUP_MIN = 0.5


@dataclass(frozen=True, slots=True)
class Combined:
    p_hate: float  # reported p(hate): the hate head raised by a threat against a group
    p_hate_head: float  # the generic head alone (kept for the explanation)
    p_threat: float
    p_group: float  # p(about some protected group), from the strand head
    threat: bool  # p(threat) reached the threat threshold


def combine(p_hate: float, p_threat: float, p_group: float, threat_threshold: float,
            threshold: float) -> Combined:
    threat = p_threat >= threat_threshold
    lifted = max(threshold, THREAT_FLOOR) if threat and p_group >= GROUP_MIN else 0.0
    p = max(p_hate, p_threat * p_group, lifted)
    return Combined(p_hate=p, p_hate_head=p_hate, p_threat=p_threat, p_group=p_group,
                    threat=threat)


def combined_p(p_hate: Floats, p_threat: Floats, p_group: Floats, threat_threshold: float,
               threshold: float) -> Floats:
    """Vectorised ``combine(...).p_hate`` for evaluation and cross-validation."""
    fired = (p_threat >= threat_threshold) & (p_group >= GROUP_MIN)
    floor = np.where(fired, max(threshold, THREAT_FLOOR), 0.0)
    out: Floats = np.maximum(np.maximum(p_hate, p_threat * p_group), floor).astype(np.float32)
    return out


def gate_strands(about: dict[str, float], p_hate: float) -> dict[str, float]:
    """p(hate about this group) = p(about this group) × p(hate)."""
    return {s: round(float(v) * p_hate, 4) for s, v in about.items()}


def severity(c: Combined, sev_probs: dict[str, float], threshold: float) -> tuple[str, str]:
    """The severity label and a one-line reason for it."""
    if c.threat:
        whom = "a protected group" if c.p_group >= GROUP_MIN else \
            "a person or group (no protected group inferred)"
        return "threat", (f"threat head {c.p_threat:.2f}: a threat or call to violence against "
                          f"{whom}, flagged whatever the generic p(hate) says")
    if c.p_hate >= threshold:
        # "threat" is decided by p(threat) alone, so one number explains every threat label.
        rest = {k: v for k, v in sev_probs.items() if k != "threat"} or {"derogation": 1.0}
        label = max(rest, key=lambda k: rest[k])
        return label, (f"p(hate) {c.p_hate:.2f} ≥ {threshold}, p(threat) {c.p_threat:.2f} below "
                       f"the threat threshold: most likely form is {label}")
    return "none", f"p(hate) {c.p_hate:.2f} < {threshold} and no threat: no severity assigned"
