"""MLMA (English): every tweet is hostile; only the ``hateful`` sentiment counts as hate.

Rows whose sentiment includes "hateful" → 1; rows that are only "normal" → 0; the rest
(offensive, disrespectful, abusive, fearful without "hateful") are ambiguous and dropped.
The ``target`` attribute (origin, gender, ...) becomes a strand.
"""

from __future__ import annotations

import re
from pathlib import Path

from models.data.base import Example, check_split, read_csv, strand_for

NAME = "mlma"
_TARGET = {"origin": "race", "gender": "sex_gender", "sexual_orientation": "sexual_orientation",
           "religion": "religion", "disability": "disability", "other": "other"}
_MENTION = re.compile(r"@user\b|@url\b|https?://\S+", re.IGNORECASE)


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, ("train",), NAME)
    rows: list[Example] = []
    for row in read_csv(data_dir / NAME / "en_dataset.csv"):
        parts = set(row["sentiment"].split("_"))
        if "hateful" in parts:
            label = 1
        elif parts == {"normal"}:
            label = 0
        else:
            continue
        strand = _TARGET.get(row["target"]) or strand_for(row["target"])
        text = " ".join(_MENTION.sub(" ", row["tweet"]).split())
        if text:
            rows.append(Example(text, label, NAME, (strand,) if strand else ()))
    return rows
