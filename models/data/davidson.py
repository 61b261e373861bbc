"""Davidson et al. 2017 tweets: class 0 hate → 1; 1 offensive and 2 neither → 0.

Offensive is not hate (SOURCES.md). The corpus over-associates African-American English with
hate and offence, so training gives it a low weight (see models/training.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from models.data.base import Example, check_split, read_csv

NAME = "davidson"
_NOISE = re.compile(r"(?:^|\s)(?:RT\s+)?@\w+:?|https?://\S+|&amp;|&#\d+;")


def clean(text: str) -> str:
    return " ".join(_NOISE.sub(" ", text).replace("&amp;", "&").split())


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, ("train",), NAME)
    rows: list[Example] = []
    for row in read_csv(data_dir / NAME / "labeled_data.csv"):
        text = clean(row["tweet"])
        if text:
            rows.append(Example(text, 1 if row["class"] == "0" else 0, NAME))
    return rows
