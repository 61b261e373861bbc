"""HatemojiBuild (train + validation for training; test held out): ``label_gold`` as given.

``type`` gives severity: threateninglanguage → threat, dehumanizinglanguage → dehumanisation,
derogation and animosity → derogation. Target codes (DynaHate style) become strands.
"""

from __future__ import annotations

import ast
from pathlib import Path

from models.data.base import DataError, Example, check_split, read_csv, strands_for

NAME = "hatemoji"
_FILES = {"train": ("train.csv", "validation.csv"), "test": ("test.csv",)}
_SEVERITY = {
    "threateninglanguage": "threat",
    "dehumanizinglanguage": "dehumanisation",
    "derogation": "derogation",
    "animosity": "derogation",
}


def _targets(raw: str, where: str) -> list[str]:
    try:
        value = ast.literal_eval(raw) if raw.strip().startswith("[") else [raw]
    except (ValueError, SyntaxError) as err:
        raise DataError(f"{where}: target {raw!r} is not a list literal") from err
    return [str(v) for v in value]


def read(data_dir: Path, split: str = "train") -> list[Example]:
    check_split(split, tuple(_FILES), NAME)
    rows: list[Example] = []
    for fname in _FILES[split]:
        path = data_dir / "hatemoji-build" / fname
        for i, row in enumerate(read_csv(path), start=2):
            label = int(row["label_gold"])
            strands = strands_for(_targets(row["target"], f"{path}:{i}"))
            severity = _SEVERITY.get(row["type"]) if label else None
            # Perturbation pairs share a group so CV never splits a pair across folds.
            group = f"{NAME}:{min(row['entry_id'], row['matched_id'] or row['entry_id'])}"
            rows.append(Example(row["text"], label, NAME, strands, severity, group))
    return rows
