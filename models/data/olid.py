"""OLID: offensive language, used only as negatives (offensive is not hate).

NOT, OFF/UNT (untargeted profanity) and OFF/TIN/IND (insults at individuals) → 0. Insults at a
group or "other" (OFF/TIN/GRP, OFF/TIN/OTH) may or may not be hate; they are dropped rather
than taught as either.
"""

from __future__ import annotations

import re
from pathlib import Path

from models.data.base import Example, check_split, read_csv

NAME = "olid"
_NOISE = re.compile(r"@USER\b|\bURL\b")


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, ("train",), NAME)
    rows: list[Example] = []
    for row in read_csv(data_dir / NAME / "olid-training-v1.0.tsv", delimiter="\t"):
        a, b, c = row["subtask_a"], row["subtask_b"], row["subtask_c"]
        if a == "OFF" and b == "TIN" and c in ("GRP", "OTH"):
            continue
        text = " ".join(_NOISE.sub(" ", row["tweet"]).split())
        if text:
            rows.append(Example(text, 0, NAME, group=f"{NAME}:{a}{b}"))
    return rows
