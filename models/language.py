"""Is this post in English? The model reads English only; other languages get a neutral score.

py3langid misreads very short or emoji-heavy posts, so a post is only marked unsupported when
the detector is confident and there is enough text to judge; in doubt it is scored as English
(a wrong "unsupported" would hide a post behind a neutral priority).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any

SUPPORTED: frozenset[str] = frozenset({"en"})
# Languages seen in UK online spaces; restricting the candidates steadies short-text guesses.
CANDIDATES: tuple[str, ...] = (
    "en", "fr", "de", "es", "it", "pt", "nl", "pl", "ro", "tr", "ar", "ur", "hi", "bn", "pa",
    "ru", "uk", "zh", "ja", "ko", "fa", "so", "sv", "da", "no", "cy", "ga", "lt", "lv", "bg",
    "cs", "sk", "hu", "el", "he", "ta", "gu", "id", "ms", "tl", "vi", "th",
)
MIN_CONFIDENCE = 0.8
MIN_LETTERS = 12
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_URL = re.compile(r"https?://\S+|@\w+|#")

_lock = threading.Lock()
_identifier: Any = None


def _detector() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            ident.set_languages(list(CANDIDATES))
            _identifier = ident
        return _identifier


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str | None  # ISO 639-1, or None when there is too little text to tell
    confidence: float
    supported: bool


def detect(text: str) -> LanguageGuess:
    clean = _URL.sub(" ", text)
    if len(_LETTER.findall(clean)) < MIN_LETTERS:
        return LanguageGuess(None, 0.0, True)
    lang, prob = _detector().classify(clean)
    lang, prob = str(lang), float(prob)
    if lang in SUPPORTED or prob < MIN_CONFIDENCE:
        return LanguageGuess(lang if prob >= MIN_CONFIDENCE else "en", prob, True)
    return LanguageGuess(lang, prob, False)
