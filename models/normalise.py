"""Undo the cheap disguises hate uses before it reaches the embedding model.

MiniLM's tokenizer maps almost every emoji to ``[UNK]`` and splits "h4te" or "k i l l" into
meaningless pieces, so obfuscated hate would otherwise look like noise. This normaliser is
deliberately small and deterministic: it names emoji, reverses leetspeak inside words, joins
spaced-out letters and shortens stretched letters. It never drops words.
"""

from __future__ import annotations

import re
import unicodedata

# Multi-codepoint emoji whose character names would mislead ("waving white flag").
_SEQUENCES = {
    "\U0001f3f3\ufe0f\u200d\U0001f308": " pride rainbow flag ",
    "\U0001f3f3\u200d\U0001f308": " pride rainbow flag ",
    "\U0001f3f3\ufe0f\u200d\u26a7\ufe0f": " transgender flag ",
    "\U0001f3f3\ufe0f\u200d\u26a7": " transgender flag ",
}
# Character names that are opaque or too literal for a reader of English.
_NAMES = {
    "hocho": "knife",
    "wastebasket": "trash bin",
    "pile of poo": "shit",
    "face with open mouth vomiting": "vomit disgust",
    "nauseated face": "disgusted",
    "pistol": "gun",
    "manual wheelchair": "wheelchair disabled",
    "motorized wheelchair": "wheelchair disabled",
    "wheelchair symbol": "wheelchair disabled",
    "star and crescent": "muslim islam",
    "star of david": "jewish",
    "man with turban": "man with turban",
    "person with headscarf": "muslim woman headscarf",
}
_SKIN = {
    "emoji modifier fitzpatrick type-1-2": "light skinned",
    "emoji modifier fitzpatrick type-3": "medium light skinned",
    "emoji modifier fitzpatrick type-4": "brown skinned",
    "emoji modifier fitzpatrick type-5": "brown skinned",
    "emoji modifier fitzpatrick type-6": "black skinned",
}
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l"})
# The lookahead skips words with no look-alike symbol at all (most of them) before a Python
# call is made per word; ``_unleet`` still decides for the rest.
_WORD_WITH_LEET = re.compile(r"(?<![\w@$!|])(?=[A-Za-z0-9@$!|]*[0134579@$!|])"
                             r"[A-Za-z0-9@$!|]*[A-Za-z][A-Za-z0-9@$!|]*[A-Za-z0-9]")
# Three or more single letters separated by one space, dot, dash or asterisk: "k i l l".
_SPACED = re.compile(r"\b(?:[A-Za-z][ .\-*_]){2,}[A-Za-z]\b")
_STRETCH = re.compile(r"([A-Za-z])\1{2,}")
_SPACES = re.compile(r"[ \t]+")


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return (
        unicodedata.category(ch) == "So"
        or 0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
    )


def _emoji_words(text: str) -> str:
    if text.isascii():  # no emoji, no joiners: nothing to name
        return text
    for seq, words in _SEQUENCES.items():
        text = text.replace(seq, words)
    out: list[str] = []
    for ch in text:
        if ch in ("\u200d", "\ufe0f", "\ufe0e"):
            continue
        if _is_emoji(ch):
            name = unicodedata.name(ch, "").lower()
            words = _SKIN.get(name) or _NAMES.get(name) or name
            out.append(f" {words} " if words else " ")
        else:
            out.append(ch)
    return "".join(out)


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    # Only words that mix letters with look-alike symbols; "2nd" or "covid19" stay as written.
    if (
        any(c.isalpha() for c in word)
        and any(c in "0134579@$!|" for c in word[:-1])
        and not re.fullmatch(r"[A-Za-z]+\d+|\d+[A-Za-z]{1,3}", word)
    ):
        return word.translate(_LEET)
    return word


def normalise(text: str) -> str:
    """The text the embedding model sees; the original is kept for evidence and display."""
    text = _emoji_words(text)
    text = _WORD_WITH_LEET.sub(_unleet, text)
    text = _SPACED.sub(lambda m: re.sub(r"[ .\-*_]", "", m.group(0)), text)
    text = _STRETCH.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()
