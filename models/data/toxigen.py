"""ToxiGen prompt files: ``hate_<group>_1k.txt`` → 1, ``neutral_<group>_1k.txt`` → 0.

Each line joins several statements with a literal ``\\n-`` (backslash, n, dash); statements repeat
across lines, so they are split and de-duplicated. The file's group becomes the strand, for the
neutral statements too (they are about the group, just not hateful).
"""

from __future__ import annotations

import re
from pathlib import Path

from models.data.base import DataError, Example, check_split, require, strand_for

NAME = "toxigen"
_FILE = re.compile(r"^(hate|neutral)_(.+?)_1k\.txt$")


def statements(line: str) -> list[str]:
    parts = re.split(r"\\n-?|\n", line)
    return [p.strip().lstrip("-").strip() for p in parts if p.strip().lstrip("-").strip()]


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, ("train",), NAME)
    folder = require(data_dir / NAME / "prompts")
    rows: list[Example] = []
    seen: set[str] = set()
    files = sorted(folder.glob("*.txt"))
    if not files:
        raise DataError(f"{folder}: no prompt files")
    for path in files:
        match = _FILE.match(path.name)
        if not match:
            continue
        label = 1 if match.group(1) == "hate" else 0
        strand = strand_for(match.group(2))
        for line in path.read_text(encoding="utf-8").splitlines():
            for text in statements(line):
                key = " ".join(text.casefold().split())
                if key in seen:
                    continue
                seen.add(key)
                rows.append(Example(text, label, NAME, (strand,) if strand else (),
                                    group=f"{NAME}:{path.stem}"))
    return rows
