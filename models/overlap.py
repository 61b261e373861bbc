"""Runs of words two texts share: the check a newly written post passes before it is frozen in
an evaluation file or appended to the training posts.

Two writers of UK posts can meet on a phrase by chance, and a post sharing a run of words with
training text would let an evaluation file measure memory instead of reading. Every written file
so far dropped its posts that share a six-word run with the training rows, the batches kept
beside them, or any realistic file (``models/evalsets/README.md`` counts them per file); tests
hold the committed files to eight words.

    python -m models.overlap NEW.jsonl [--words 6] [--write-kept KEPT.jsonl]

lists each post of NEW.jsonl that shares a run, with the run and where it is, and exits 1 if
any does; ``--write-kept`` writes the others, unchanged and in order, to freeze.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

WORDS = re.compile(r"[a-z0-9']+")
RUN = 6  # the length every written file has been checked at


def words(text: str) -> list[str]:
    """A text's words, case-folded, punctuation and emoji dropped."""
    return WORDS.findall(text.casefold())


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words in ``text``."""
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


def runs_of(texts: Iterable[str], n: int = RUN) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for t in texts:
        out |= runs(t, n)
    return out


@dataclass(frozen=True, slots=True)
class Shared:
    row: int  # 1-based line of the new file
    name: str  # the post's id, or its line when it has none
    run: str
    source: str  # the file it shares the run with


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def known_text(exclude: Sequence[Path] = ()) -> dict[str, list[str]]:
    """Every text a new post is checked against, by file: the built training rows, the written
    batches kept beside them, and every realistic file except ``exclude``."""
    from models.contrast import build
    from models.evaluation import REALISTIC_FILES

    skip = {p.resolve() for p in exclude}
    paths = [build.OUT, *build.WAITING, *REALISTIC_FILES]
    return {p.name: _texts(p) for p in paths if p.is_file() and p.resolve() not in skip}


def shared_runs(rows: Sequence[Mapping[str, object]], known: dict[str, list[str]],
                n: int = RUN) -> list[Shared]:
    """The first run each row shares with any known file (one line per row and file)."""
    by_file = {name: runs_of(texts, n) for name, texts in known.items()}
    found: list[Shared] = []
    for i, row in enumerate(rows, start=1):
        mine = runs(str(row["text"]), n)
        for name, theirs in by_file.items():
            both = mine & theirs
            if both:
                found.append(Shared(i, str(row.get("id", f"line {i}")), " ".join(min(both)),
                                    name))
    return found


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m models.overlap", description=(__doc__ or "").split(
        "\n\n")[0])
    ap.add_argument("file", type=Path, help="new posts, one JSON object with a text per line")
    ap.add_argument("--words", type=int, default=RUN, help="run length (default %(default)s)")
    ap.add_argument("--write-kept", type=Path, default=None,
                    help="write the posts that share no run here")
    args = ap.parse_args(argv)
    if args.words < 2:
        ap.error("--words: at least 2")
    if args.write_kept is not None and args.write_kept.resolve() == args.file.resolve():
        # The dropped posts would be gone from the only copy: keep the writer's file whole.
        ap.error("--write-kept: another file than the one checked")
    try:
        lines = args.file.read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines if line.strip()]
        if not all(isinstance(r, dict) and isinstance(r.get("text"), str) for r in rows):
            raise ValueError("every line must be a JSON object with a text")
    except (OSError, ValueError) as err:
        ap.error(f"{args.file}: {err}")
    found = shared_runs(rows, known_text(exclude=[args.file]), args.words)
    for s in found:
        print(f"{s.name}: shares '{s.run}' with {s.source}")
    dropped = {s.row for s in found}
    print(f"{len(dropped)} of {len(rows)} posts share a {args.words}-word run")
    if args.write_kept is not None:
        kept = [r for i, r in enumerate(rows, start=1) if i not in dropped]
        try:
            args.write_kept.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                               for r in kept), encoding="utf-8")
        except OSError as err:
            ap.error(f"--write-kept {args.write_kept}: {err}")
        print(f"{len(kept)} kept → {args.write_kept}")
    return 1 if dropped else 0


if __name__ == "__main__":
    sys.exit(main())
