"""The model's reasons on the item page read as sentences: labels, no JSON, no escapes."""

from __future__ import annotations

from review_ui.views.item import explain


def test_model_reasons_are_sentences_not_json() -> None:
    # The shipped model's explanation shape (models/classifier.py).
    shown = explain({
        "model_version": "v1",
        "summary": "p(hate) 0.83; against sexual_orientation (0.70); severity threat",
        "p_hate": {"reported": 0.83, "hate_head": 0.8, "threat_head": 0.1,
                   "why": "the larger of the two heads"},
        "strand": {"top": "sexual_orientation", "p": 0.7, "about": {"sexual_orientation": 0.9},
                   "why": "p(about the group) from the strand head × p(hate)"},
        "severity": {"label": "threat", "p": {"dehumanisation": 0.2}, "p_threat": 0.1,
                     "why": "threat head"},
        "nearest": [{"text": "they are vermin", "label": "hateful", "strand": "race",
                     "severity": "dehumanisation", "source": "hatecheck", "similarity": 0.81}],
    })
    text = " ".join(f"{k} {v}" for k, v in shown["other"])
    assert "\\u00d7" not in text and "×" in text
    assert "{" not in text and '"' not in text
    assert "sexual_orientation" not in text and "Sexual orientation" in text
    assert "Threat" in text and "Dehumanisation" in text
    assert shown["exemplars"] == [{"text": "they are vermin",
                                   "about": "hateful · Race · Dehumanisation · similarity 0.81 "
                                            "· from hatecheck"}]
