"""Expand ``templates.py`` into ``contrast.jsonl`` (deterministic: fixed seed, sorted output).

Run ``python -m models.contrast.build`` after editing the templates. Each row: text, hateful
(0/1), strand (or null), severity, category and template (CV folds group by template so a
template never sits on both sides of a split).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from models.contrast import templates as T

OUT = Path(__file__).resolve().parent / "contrast.jsonl"
SEED = 20261128


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _groups() -> list[tuple[str, str]]:
    return [(strand, g) for strand, names in T.GROUPS.items() for g in names]


def _leet(text: str, rng: random.Random) -> str:
    table = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "$"}
    return "".join(table[c] if c in table and rng.random() < 0.6 else c for c in text)


def _drop_letter(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    return word[:i] + word[i + 1:]


def _obfuscate(text: str, group: str, rng: random.Random) -> tuple[str, str]:
    how = rng.choice(("leet", "missing", "spaced", "emoji", "star"))
    if how == "leet":
        return text.replace(group, _leet(group, rng)), how
    if how == "missing":
        words = text.split()
        j = rng.randrange(len(words))
        words[j] = _drop_letter(words[j], rng)
        return text.replace(group, " ".join(_drop_letter(w, rng) for w in group.split())).replace(
            text.split()[j], words[j]) if j else " ".join(words), how
    if how == "spaced":
        first = group.split()[0]
        return text.replace(first, " ".join(first), 1), how
    if how == "star":
        first = group.split()[0]
        return text.replace(first, first[0] + "*" + first[2:], 1) if len(first) > 3 else text, how
    out = text
    for word, emoji in T.EMOJI_SWAPS.items():
        out = out.replace(word, emoji)
    out = out.replace(group, T.EMOJI_GROUPS.get(group, group))
    return out, how


def _pool(named: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(strand, g) for strand, names in named.items() for g in names]


def rows() -> Iterator[dict[str, Any]]:
    rng = random.Random(SEED)
    groups = _groups()

    def row(text: str, hateful: int, strand: str | None, severity: str, category: str,
            template: str) -> dict[str, Any]:
        return {"text": _cap(text), "hateful": hateful, "strand": strand,
                "severity": severity if hateful else "none", "category": category,
                "template": template}

    hateful_sentences: list[tuple[str, str, str]] = []
    # (templates by severity, group pool, groups per template, category suffix, template id)
    hate_sets = (
        (T.HATEFUL, groups, 9, "", "h"),
        (T.MORE_HATEFUL, groups, 9, "", "m"),
        (T.INDIVIDUAL_HATEFUL, _pool(T.INDIVIDUALS), 6, "_individual", "i"),
        (T.PLACE_HATEFUL, _pool(T.PLACES), 5, "_place", "p"),
    )
    for temps_by_sev, pool, n, suffix, tid in hate_sets:
        for severity, temps in temps_by_sev.items():
            for ti, temp in enumerate(temps):
                for strand, g in rng.sample(pool, min(n, len(pool))):
                    text = temp.format(G=g)
                    hateful_sentences.append((text, strand, severity))
                    yield row(text, 1, strand, severity, f"hate_{severity}{suffix}",
                              f"{tid}{severity}{ti}")
                    if rng.random() < 0.5:
                        obf, how = _obfuscate(text, g, rng)
                        if obf != text:
                            yield row(obf, 1, strand, severity, f"obfuscated_{how}",
                                      f"{tid}{severity}{ti}")
    for fi, frame in enumerate(T.COUNTER_FRAMES):
        for text, strand, _sev in rng.sample(hateful_sentences, 22):
            yield row(frame.format(h=text), 0, strand, "none", "counter_quote", f"cq{fi}")
    families = (("counter_speech", T.COUNTER_SPEECH, 7), ("negated", T.NEGATED, 7),
                ("neutral_mention", T.NEUTRAL, 6), ("profane_support", T.PROFANE_SUPPORT, 7),
                ("identity", T.IDENTITY, 7))
    for category, temps, n in families:
        for ti, temp in enumerate(temps):
            for strand, g in rng.sample(groups, n):
                text = temp.format(G=g)
                yield row(text, 0, strand, "none", category, f"{category}{ti}")
                if category == "neutral_mention" and rng.random() < 0.2:
                    obf, how = _obfuscate(text, g, rng)
                    yield row(obf, 0, strand, "none", f"neutral_obfuscated_{how}",
                              f"{category}{ti}")
    benign_sets = (("negated_threat", T.NEGATED_THREATS, groups, 7),
                   ("individual_neutral", T.INDIVIDUAL_NEUTRAL, _pool(T.INDIVIDUALS), 6),
                   ("place_neutral", T.PLACE_NEUTRAL, _pool(T.PLACES), 5))
    for category, temps, pool, n in benign_sets:
        for ti, temp in enumerate(temps):
            for strand, g in rng.sample(pool, min(n, len(pool))):
                yield row(temp.format(G=g), 0, strand, "none", category, f"{category}{ti}")
    for ti, text in enumerate(T.NO_TARGET):
        yield row(text, 0, None, "none", "no_target", f"no_target{ti}")
    for ti, text in enumerate(T.RECLAIMED):
        yield row(text, 0, "sexual_orientation" if "crip" not in text else "disability",
                  "none", "reclaimed", f"reclaimed{ti}")
    for ti, text in enumerate(T.PROFANITY):
        yield row(text, 0, None, "none", "profanity", f"profanity{ti}")
    for ti, temp in enumerate(T.NON_PROTECTED_ABUSE):
        for target in rng.sample(T.NON_PROTECTED, 6):
            yield row(temp.format(G=target), 0, None, "none", "non_protected", f"np{ti}")
    for ti, temp in enumerate(T.VIOLENT_IDIOMS):
        for thing in rng.sample(T.IDIOM_OBJECTS, 5):
            yield row(temp.format(O=thing), 0, None, "none", "violent_idiom", f"idiom{ti}")
    # Threats against unprotected targets are crimes too, but not hate: they teach the threat
    # head that a protected group must be the target.
    for severity, n in (("threat", 4), ("dehumanisation", 3)):
        temps = T.HATEFUL[severity] + T.MORE_HATEFUL[severity]
        for ti, temp in enumerate(temps if severity == "threat" else temps[:8]):
            for target in rng.sample(T.NON_PROTECTED, n):
                yield row(temp.format(G=target), 0, None, "none", "non_protected",
                          f"np_{severity}{ti}")


def build(path: Path = OUT) -> int:
    seen: set[str] = set()
    out: list[str] = []
    for r in rows():
        key = r["text"].casefold()
        if key not in seen:
            seen.add(key)
            out.append(json.dumps(r, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


if __name__ == "__main__":
    print(f"{build()} rows → {OUT}")
