"""The row every corpus reader returns, and the shared target-group → strand mapping."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from models.types import SEVERITIES


class DataError(Exception):
    """A corpus file is missing or not in the layout its reader expects."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int  # 1 hateful, 0 not
    source: str  # corpus name, e.g. "hatexplain"
    strands: tuple[str, ...] = ()  # protected groups the text is about (hateful or not)
    severity: str | None = None  # for hateful rows when the corpus says; else None
    group: str = ""  # rows sharing a group are never split across CV folds (templates)
    # Whether the text threatens or calls for violence against anyone, protected or not, when
    # the row says so (our contrast set); None: derived from label and severity (``threat_label``).
    threat: int | None = None

    @property
    def threat_label(self) -> int | None:
        """1/0 when known; None for hateful rows of unknown severity (they may be threats)."""
        if self.threat is not None:
            return self.threat
        if self.label == 1:
            return None if self.severity is None else int(self.severity == "threat")
        return 0

    def __post_init__(self) -> None:
        if self.label not in (0, 1):
            raise ValueError(f"label must be 0 or 1, got {self.label!r}")
        if self.severity is not None and self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")
        if self.threat not in (None, 0, 1):
            raise ValueError(f"threat must be 0, 1 or None, got {self.threat!r}")


# Target-group names used by the corpora, mapped to hate-crime strands. Unknown names → "other".
_STRAND_WORDS: dict[str, tuple[str, ...]] = {
    "race": (
        "african", "black", "bla", "asian", "asi", "chinese", "arab", "hispanic", "latino",
        "mexican", "indian", "native", "refugee", "immigrant", "immig", "origin", "middle_east",
        "caucasian", "white", "for", "ref", "mixed", "mix", "eastern_european", "east",
        "african_descent", "pakistani", "gypsy", "roma", "trav", "ethmin", "hisp", "indig",
        "nat", "asy", "abo", "ind", "europe", "minority", "ethnicity", "race",
    ),
    "religion": ("islam", "muslim", "mus", "jew", "jewish", "christian", "hindu", "hind",
                 "buddhism", "religion", "rel", "sikh", "atheist", "nonreligious"),
    "sexual_orientation": ("homosexual", "gay", "lesbian", "bisexual", "bis", "lgbtq", "lgbt",
                           "gayman", "gaywom", "sexual_orientation", "queer", "heterosexual"),
    "disability": ("disability", "dis", "mental_disability", "physical_disability",
                   "special_needs"),
    "transgender": ("trans", "transgender", "nonbinary", "gender_identity"),
    "sex_gender": ("women", "wom", "woman", "men", "gender", "female", "male"),
}
_LOOKUP = {w: strand for strand, words in _STRAND_WORDS.items() for w in words}
_BY_LENGTH = sorted(_LOOKUP, key=len, reverse=True)


def strand_for(name: str) -> str | None:
    """Map one corpus target name to a strand; ``None`` for "none"/empty."""
    key = name.strip().lower().replace(" ", "_").replace("-", "_")
    if key in ("", "none", "nan", "null", "notgiven", "individual"):
        return None
    if key in _LOOKUP:
        return _LOOKUP[key]
    head = key.split(".")[0]
    if head in _LOOKUP:
        return _LOOKUP[head]
    # DynaHate-style codes join group and gender ("blawom", "gaywom"): the group comes first.
    for word in _BY_LENGTH:
        if len(word) >= 3 and key.startswith(word):
            return _LOOKUP[word]
    for word in _BY_LENGTH:
        if len(word) > 3 and word in key:
            return _LOOKUP[word]
    return "other"


def strands_for(names: Iterable[str]) -> tuple[str, ...]:
    found = {s for s in (strand_for(n) for n in names) if s}
    return tuple(sorted(found))


def dedupe(rows: Iterable[Example]) -> list[Example]:
    """First row per (case- and space-insensitive) text wins; conflicting labels drop both."""
    seen: dict[str, Example] = {}
    conflicted: set[str] = set()
    for row in rows:
        key = " ".join(row.text.casefold().split())
        if not key:
            continue
        if key in seen:
            if seen[key].label != row.label:
                conflicted.add(key)
            continue
        seen[key] = row
    return [row for key, row in seen.items() if key not in conflicted]


def require(path: Path) -> Path:
    if not path.exists():
        raise DataError(f"{path} is missing (expected the corpus layout of ../shared/data)")
    return path


def read_csv(path: Path, *, delimiter: str = ",") -> Iterator[dict[str, str]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with require(path).open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
        for line, row in enumerate(reader, start=2):
            if None in row:
                raise DataError(f"{path}:{line}: more fields than the header names")
            yield row


def check_split(split: str, allowed: tuple[str, ...], corpus: str) -> None:
    if split not in allowed:
        raise DataError(f"{corpus}: unknown split {split!r}; expected one of {allowed}")
