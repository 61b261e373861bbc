"""Stormfront forum sentences (de Gibert et al. 2018): hate → 1, noHate → 0.

``relation`` (hate only in context) and ``idk/skip`` are dropped. ``sampled_test_ids.txt`` is
held out: ``split="test"`` returns exactly those sentences, ``"train"`` everything else.
"""

from __future__ import annotations

from pathlib import Path

from models.data.base import Example, check_split, read_csv, require

NAME = "stormfront"


def test_ids(data_dir: Path) -> set[str]:
    path = require(data_dir / NAME / "sampled_test_ids.txt")
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, ("train", "test"), NAME)
    held = test_ids(data_dir)
    rows: list[Example] = []
    for row in read_csv(data_dir / NAME / "sentences.csv"):
        if row["label"] not in ("hate", "noHate"):
            continue
        if (row["file_id"] in held) != (split == "test"):
            continue
        rows.append(Example(row["text"], 1 if row["label"] == "hate" else 0, NAME,
                            group=f"{NAME}:{row['file_id'].split('_')[0]}"))
    return rows
