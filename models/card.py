"""The model card written beside every artefact: data, licences, metrics, limitations."""

from __future__ import annotations

from typing import Any

LICENCES: dict[str, str] = {
    "davidson": "MIT (t-davidson/hate-speech-and-offensive-language)",
    "hatexplain": "MIT repo / CC BY 4.0 dataset card (hate-alert/HateXplain), validation split",
    "hatemoji": "CC BY 4.0 (HannahKirk/Hatemoji, HatemojiBuild train + validation)",
    "stormfront": "CC BY-SA 3.0 ES (Vicomtech/hate-speech-dataset), minus sampled test ids",
    "mlma": "MIT (HKUST-KnowComp/MLMA_hate_speech, English)",
    "olid": "CC BY 4.0 (OLID v1.0), used as negatives only",
    "toxigen": "MIT (microsoft/TOXIGEN prompts)",
    "contrast": "Apache-2.0, written for hate-monitor (models/contrast/)",
    "decisions": "this installation's own officer decisions (local, never shipped)",
}

LIMITATIONS = """\
- English only. Posts detected (py3langid) as another language with confidence ≥ 0.8 get a
  neutral p(hate) of 0.5, no strands and severity "none", and say so in their explanation.
- Frozen all-MiniLM-L6-v2 sentence embeddings with small heads: it matches meaning, not
  grammar, so negation, quotation and counter-speech remain its weakest areas even after the
  contrast set. Treat p(hate) as a ranking signal for a person to review, never as a decision.
- Not shipped: contrastive tuning of MiniLM's top two layers (3,000 corpus pairs, 221 s on two
  CPU cores; `python -m models.experiments.finetune_top_layers`) moved contrast CV accuracy
  0.785 → 0.788 and HateXplain test ROC-AUC 0.719 → 0.730, HatemojiBuild 0.683 → 0.681,
  Stormfront 0.862 → 0.861: too small for a 14 MB delta and a re-embedding step per training.
- The threat rule flags about a quarter to a third of violent idioms, threats at unprotected
  targets and negated threats in cross-validation (table above): expect some false urgent
  items; each one is for a person to dismiss.
- Calibration (Platt scaling) is fitted on rows held out from the training mix, whose share of
  hate is far higher than on real platforms: p(hate) is calibrated for that mix, not for a
  live feed, where true hate is rarer.
- Training corpora carry known biases: Davidson over-associates African-American English with
  hate and offence (down-weighted here); Stormfront is one forum's register; ToxiGen and our
  contrast set are synthetic. Slurs and coded language newer than the corpora are unknown to it.
- Strands are p(about the group) × p(hate): "hate against this group". Below 0.2 no strand is
  named (top_strand is empty). "other" has little training data.
- Threats: a threat head (small MLP; positives are HatemojiBuild "threateninglanguage" and our
  contrast threats against protected groups; threats at unprotected targets and violent idioms
  are negatives) scores every post; p(threat) is the larger of it and p(hate) × p(threat | hate)
  from the severity head, prior-corrected. p(threat) is a floor on p(hate); at or above
  the threat threshold the post gets severity "threat" and p(hate) at least the hate threshold,
  on purpose trading calibration for recall on the most urgent items. Otherwise severity comes
  from the severity head when p(hate) reaches the threshold. Threats without a named group
  ("these people") and threats at unprotected targets are deliberately scored low.
- Not evaluated here on HateCheck, HatemojiCheck or Multilingual HateCheck: those suites are
  the project's independent held-out evaluation and were never read or trained on.
"""


def _table(rows: dict[str, dict[str, Any]]) -> str:
    if not rows:
        return "_not measured_\n"
    keys = ["n", "positives", "roc_auc", "pr_auc", "f1", "precision", "recall", "accuracy"]
    lines = ["| data set | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for name, m in rows.items():
        cells = [str(m.get(k, "")) if not isinstance(m.get(k), float)
                 else f"{m[k]:.3f}" for k in keys]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_card(config: dict[str, Any]) -> str:
    training = config.get("training", {})
    metrics = config.get("metrics", {})
    counts = training.get("rows_by_source", {})
    data = "\n".join(
        f"| {src} | {n} | {LICENCES.get(src, 'see SOURCES.md')} |" for src, n in counts.items()
    ) or "| (not recorded) | | |"
    emb = config.get("embedder", {})
    return f"""# Model card: {config.get("version")}

Hate classifier for hate-monitor. It ranks posts for a person to review; it decides nothing.

## Model
- Embeddings: {emb.get("name")} ({emb.get("dimension")}-d), frozen, loaded offline; text is
  normalised first (emoji named, leetspeak reversed, spaced letters joined).
- Heads: p(hate) {config.get("options", {}).get("head")} head with Platt calibration on a
  stratified {config.get("options", {}).get("calibration_fraction")} hold-out; one logistic
  head per strand ({", ".join(config.get("strands", []))}); severity head over
  {", ".join(config.get("severities", []))}; threat head (MLP, threat threshold
  {config.get("options", {}).get("threat_threshold", "n/a")}) applied to every post.
- Training: {training.get("summary", "see config.json")}
- Artefact: safetensors + JSON, no pickle; manifest.json holds the sha256 of every file and is
  checked on load.

## Data
| source | rows used | licence |
|---|---|---|
{data}

Label mapping (models/data/*.py): offensive is never hate (Davidson class 1, HateXplain
"offensive", OLID OFF are negatives; OLID insults at groups are dropped as ambiguous); MLMA rows
count as hate only when annotated "hateful"; ToxiGen prompt statements are split on the literal
`\\n-` and de-duplicated. Held out of training: HateXplain test, HatemojiBuild test, Stormfront
sampled test ids.

## Held-out figures (threshold {config.get("options", {}).get("threshold")})
Reproduce with `hate-monitor evaluate --heldout --model {config.get("version")}` (or
`--model PATH`).

{_table(metrics.get("heldout", {}))}
## Contrast set, cross-validated
Grouped {metrics.get("contrast_cv", {}).get("folds", "?")}-fold CV on our contrast set: a template
is never on both sides of a split; every fold retrains on all corpora plus the other folds.

{_table({"contrast (CV)": metrics.get("contrast_cv", {})} if metrics.get("contrast_cv") else {})}
{_threat_line(metrics.get("contrast_cv", {}).get("threat", {}))}
{_category_table(metrics.get("contrast_cv", {}).get("by_category", {}))}
## Limitations
{LIMITATIONS}"""


def _threat_line(m: dict[str, Any]) -> str:
    if not m:
        return ""
    return (f"Threat head in the same CV (threat against a protected group vs all else): ROC-AUC "
            f"{m.get('roc_auc')}, precision {m.get('precision')}, recall {m.get('recall')} at the "
            "threat threshold.\n")


def _category_table(rows: dict[str, Any]) -> str:
    if not rows:
        return ""
    lines = ["| contrast category | n | accuracy (p(hate) ≥ threshold) | flagged as threat |",
             "|---|---|---|---|"]
    for name, m in sorted(rows.items()):
        flagged = m.get("threat_flagged")
        lines.append(f"| {name} | {m['n']} | {m['accuracy']:.3f} | "
                     f"{'' if flagged is None else f'{flagged:.3f}'} |")
    return "\n".join(lines) + "\n"
