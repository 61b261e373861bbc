"""Split a post into the parts the classifier reads besides the whole: sentences and windows.

A post's mean-pooled embedding dilutes one hostile sentence among friendly ones ("Lovely day
at the fair. I know where the imam lives and his house is going up on Friday." scored as
chatter). So a post of several sentences is also read sentence by sentence, and (from three
sentences on) in windows of two neighbouring sentences, so a target named in one sentence and
attacked in the next is read together. The reading with the strongest signal decides
(``HateClassifier.predict``).

Quoted material is never read alone: a sentence that is only a quotation ("'Burn them all.'
That's what someone wrote on our page.") belongs to the sentence that frames it, so
counter-speech and news reports are read as the reporting they are.
"""

from __future__ import annotations

import re
from itertools import pairwise

# A sentence ends at . ! ? or … (possibly repeated, possibly followed by a closing quote or
# bracket, which stays with it) before whitespace, or at a line break.
_END = re.compile(r"([.!?…]+[\"'”’)\]]*)\s+")
_BREAK = "\x00"
_QUOTES = "\"'“”‘’"
# Fewer words than this is a fragment ("Yes.", "Lol.", "Friday."): it joins a neighbour.
MIN_WORDS = 3
# A long post is read in at most this many parts besides the whole (cost is bounded).
MAX_PARTS = 12


def sentences(text: str) -> list[str]:
    """The post's sentences, fragments and bare quotations joined to a neighbour."""
    marked = _END.sub(lambda m: m.group(1) + _BREAK, text.replace("\n", _BREAK))
    raw = [p.strip() for p in marked.split(_BREAK) if p.strip()]
    out: list[str] = []
    pending = ""
    for part in raw:
        piece = f"{pending} {part}".strip() if pending else part
        if _is_quotation(part) or len(piece.split()) < MIN_WORDS:
            pending = piece  # read it with what follows
            continue
        pending = ""
        out.append(piece)
    if pending:
        if out:
            out[-1] = f"{out[-1]} {pending}"
        else:
            out.append(pending)
    return out


def parts(text: str) -> list[str]:
    """What is read besides the whole post: [] for one sentence, else sentences (+ windows)."""
    sents = sentences(text)
    if len(sents) < 2:
        return []
    found = list(sents)
    if len(sents) >= 3:
        found += [f"{a} {b}" for a, b in pairwise(sents)]
    return found[:MAX_PARTS]


def _is_quotation(part: str) -> bool:
    s = part.strip()
    return len(s) >= 2 and s[0] in _QUOTES and s.rstrip(".!?…")[-1:] in _QUOTES
