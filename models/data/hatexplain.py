"""HateXplain (validation split for training; test held out): majority of three annotators.

hatespeech → 1; normal and offensive → 0 (offensive is not hate); no majority → dropped.
Target communities named by at least two annotators become strands.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from models.data.base import DataError, Example, check_split, require, strands_for

NAME = "hatexplain"
_FILES = {"train": "hatexplain_validation.json", "test": "hatexplain_test.json"}


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, tuple(_FILES), NAME)
    path = require(data_dir / NAME / _FILES[split])
    rows: list[Example] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                labels = item["annotators"]["label"]
                targets = item["annotators"]["target"]
                tokens = item["post_tokens"]
            except (ValueError, KeyError, TypeError) as err:
                raise DataError(f"{path}:{n}: not a HateXplain record ({err})") from err
            label, votes = Counter(labels).most_common(1)[0]
            if votes < 2:
                continue
            counted = Counter(t for ann in targets for t in set(ann))
            groups = [t for t, c in counted.items() if c >= 2]
            text = " ".join(t for t in tokens if t not in ("<user>", "<url>", "<number>"))
            if text:
                rows.append(Example(text, 1 if label == 0 else 0, NAME, strands_for(groups)))
    return rows
