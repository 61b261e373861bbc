"""Test doubles and factories shared by the whole suite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from connectors.post import Post
from models.types import Prediction

_THREAT = ("kill", "shoot", "burn", "hang")
_DEHUMAN = ("vermin", "rats", "animals", "parasites")
_STRAND_WORDS = {
    "race": ("immigrants", "black", "asian", "foreigners"),
    "religion": ("muslims", "jews", "christians", "mosque", "synagogue"),
    "sexual_orientation": ("gay", "lesbian", "queers"),
    "disability": ("disabled", "wheelchair", "retards"),
    "transgender": ("trans", "transgender"),
}
_HOSTILE = ("hate", "scum", "filth", "get out", "vermin", "kill", "disgusting")


class FakeScorer:
    """Deterministic keyword scorer: fast, explainable stand-in for the real classifier."""

    def __init__(self, version: str = "fake-1") -> None:
        self._version = version
        self.calls = 0
        self.texts_seen = 0

    @property
    def model_version(self) -> str:
        return self._version

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        self.calls += 1
        self.texts_seen += len(texts)
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> Prediction:
        low = text.lower()
        if low.startswith("[fr]"):
            return Prediction(0.5, {}, "none", language="fr", language_supported=False)
        hostile = sum(w in low for w in _HOSTILE)
        strands = {
            s: (0.9 if any(w in low for w in words) else 0.02) for s, words in _STRAND_WORDS.items()
        }
        targeted = any(v > 0.5 for v in strands.values())
        p = min(0.99, 0.05 + 0.3 * hostile + (0.3 if targeted and hostile else 0.0))
        if any(w in low for w in _THREAT) and hostile:
            severity = "threat"
        elif any(w in low for w in _DEHUMAN):
            severity = "dehumanisation"
        elif p >= 0.5:
            severity = "derogation"
        else:
            severity = "none"
        return Prediction(round(p, 4), strands, severity, language="en")


def make_post(
    n: int,
    text: str = "an ordinary post about the weather",
    *,
    platform: str = "mastodon",
    author: str = "someone@example.social",
    created_at: datetime | None = None,
) -> Post:
    created = created_at or datetime(2026, 11, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=n)
    item = {"id": str(n), "content": text, "account": {"acct": author}}
    return Post(
        platform=platform,
        post_id=str(n),
        url=f"https://example.social/@{author.split('@')[0]}/{n}",
        author_handle=author,
        author_id=f"acct-{author}",
        created_at=created,
        text=text,
        raw=json.dumps(item).encode(),
    )
