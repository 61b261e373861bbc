"""A tiny deterministic embedder: hashed bag of words, so classifier tests run in milliseconds."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from models.embedding import Matrix

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    def __init__(self, dimension: int = 64) -> None:
        self._dimension = dimension
        self.calls = 0

    @property
    def name(self) -> str:
        return "fake-bow"

    @property
    def dimension(self) -> int:
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Matrix:
        self.calls += 1
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                h = int(hashlib.md5(word.encode(), usedforsecurity=False).hexdigest(), 16)
                out[i, h % self._dimension] += 1.0
            norm = np.linalg.norm(out[i])
            if norm:
                out[i] /= norm
        return out


HATEFUL = [
    "vermin group alpha must be driven out",
    "group beta are filthy vermin",
    "kill every member of group alpha",
    "group gamma are disgusting parasites",
    "I will hurt group beta tonight",
    "group alpha are subhuman filth",
] * 6
NEUTRAL = [
    "lovely weather at the park today",
    "the match last night was great",
    "group alpha are welcome neighbours",
    "our book club meets on tuesday",
    "group beta opened a new bakery",
    "traffic is slow on the bridge",
] * 6
