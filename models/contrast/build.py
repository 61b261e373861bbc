"""Expand ``templates.py`` into ``contrast.jsonl`` (deterministic: fixed seed, fixed order).

Run ``python -m models.contrast.build`` after editing the templates. Posts written whole
rather than from templates (``written.jsonl``: realistic posts of one to four sentences by three
writers who never saw the templates or the evaluation sets) are appended as they are, each its
own template id (``w<family>-NNN``, ``wb_<family>-NNN`` and ``wc_<family>-NNN`` by writer).
The four earlier development files (``models.evaluation.TAUGHT``: 1,061 posts by four more
writers) follow as ``wd_``, ``we_``, ``wg_`` and ``wh_<family>-NNN``, less the 21 posts that
share a six-word run with the frozen set (docs/MODEL_LOG.md, "The fourth development file").
``threat_forms_batch.jsonl`` (a fourth writer: threats in the forms the model missed, and
their twins) and ``lookalike_batch.jsonl`` (a fifth writer: benign posts shaped like the
development set's false alarms, and hateful posts that wish no violence) have the same row
layout and are **not** read: no run trained on them has passed the rule that picks a model
(docs/MODEL_LOG.md has each run and what it measured).
Two writers of UK posts can meet on a phrase by chance, so written posts sharing any six-word
run with the frozen set were dropped before they were committed (10 of 520, then 14 of 520
and 24 of 512 also checked against the development set; 13 of 240 and 4 of 230 in the two
batches, checked against every evaluation file), by comparing word runs (``python -m
models.overlap FILE``), as ``tests/models/test_realistic_set.py`` does with eight. Each row:

- ``text``: the post.
- ``hateful``: 1 if it attacks people for a protected characteristic, else 0.
- ``threat``: 1 if it threatens or calls for violence or serious harm against any person or
  group (indirect forms included: "someone needs to...", "I know where ... lives", arson,
  weapons, a time and a place), else 0. The rule is per template list, never a keyword guess:
  ``threat`` is 1 exactly when ``severity`` is "threat", and severity comes from the list a
  template sits in. Hateful rows carry the severity of their list (threat, dehumanisation or
  derogation); non-hateful rows have severity "none", except the threat lists aimed at targets
  the law does not protect (category "threat_unprotected": hateful 0, threat 1, severity
  "threat"). Negated threats, counter-speech quoting a threat, news reports, fiction, sport and
  violent idioms are "none", so threat 0.
- ``strand``: the protected group the text is about (hateful or not), or null if none.
- ``severity``: see ``threat``.
- ``category``: the family the row comes from.
- ``template``: the template id (CV folds group by template so a template never sits on both
  sides of a split; spelling variants keep their source's id).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from models.contrast import templates as T

OUT = Path(__file__).resolve().parent / "contrast.jsonl"
WRITTEN = Path(__file__).resolve().parent / "written.jsonl"
# Written posts kept beside ``written.jsonl`` in its layout and not built in (docstring above).
WAITING: tuple[Path, ...] = (WRITTEN.with_name("threat_forms_batch.jsonl"),
                             WRITTEN.with_name("lookalike_batch.jsonl"))
_WRITTEN_KEYS = {"text", "hateful", "threat", "strand", "severity", "category", "template"}
SEED = 20261128
# A sentence the v3 spelling variants may be applied to: (text, strand, severity, template id,
# the words of the group or slur it names).
Source = tuple[str, str | None, str, str, str]
RowFn = Callable[[str, int, str | None, str, str, str], dict[str, Any]]
# Non-hateful categories whose rows are threats (severity "threat", threat 1).
THREAT_UNPROTECTED_CATEGORIES = frozenset(("threat_unprotected",))


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
    return _emoji_spelt(text, group), how


def _emoji_spelt(text: str, group: str) -> str:
    """Violent words and the group written as emoji, as some posts spell them."""
    for word, emoji in T.EMOJI_SWAPS.items():
        text = text.replace(word, emoji)
    return text.replace(group, T.EMOJI_GROUPS.get(group, group))


def _pool(named: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    return [(strand, g) for strand, names in named.items() for g in names]


def rows() -> Iterator[dict[str, Any]]:
    rng = random.Random(SEED)
    groups = _groups()

    def row(text: str, hateful: int, strand: str | None, severity: str, category: str,
            template: str) -> dict[str, Any]:
        if not hateful:
            # Only the unprotected-threat lists keep "threat" on a non-hateful row.
            severity = "threat" if category in THREAT_UNPROTECTED_CATEGORIES else "none"
        return {"text": _cap(text), "hateful": hateful, "threat": int(severity == "threat"),
                "strand": strand, "severity": severity, "category": category,
                "template": template}

    hateful_sentences: list[tuple[str, str, str]] = []
    # Sources for the v3 spelling variants.
    hate_base: list[Source] = []
    benign_base: list[Source] = []
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
                    hate_base.append((text, strand, severity, f"{tid}{severity}{ti}", g))
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
                benign_base.append((text, strand, "none", f"{category}{ti}", g))
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
    # The hateful threat and dehumanisation templates aimed at unprotected targets: not hate.
    # The threats are still threats (possible crimes, which must surface): category
    # "threat_unprotected", threat 1. The insults stay "non_protected", threat 0.
    for severity, n in (("threat", 4), ("dehumanisation", 3)):
        temps = T.HATEFUL[severity] + T.MORE_HATEFUL[severity]
        category = "threat_unprotected" if severity == "threat" else "non_protected"
        for ti, temp in enumerate(temps if severity == "threat" else temps[:8]):
            for target in rng.sample(T.NON_PROTECTED, n):
                yield row(temp.format(G=target), 0, None, severity, category,
                          f"np_{severity}{ti}")
    yield from _v3_rows(row, hateful_sentences, hate_base, benign_base)
    yield from _v4_rows(row)
    yield from _v5_rows(row)
    yield from _v6_emoji_mirrors(row)


# --- v3: new families and spelling variants -------------------------------------------------------


SPELLING_VARIANTS = ("swap", "missing_char", "no_spaces", "added_spaces", "leet")
# How many sentences each spelling variant is applied to.
SPELLING_HATEFUL_N = 110
SPELLING_BENIGN_N = 55
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
_GENERIC = frozenset(("people", "with", "users", "someone", "british", "person", "an"))
_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def _key_span(text: str, group: str, rng: random.Random,
              keywords: frozenset[str] = T.SPELLING_KEYWORDS) -> tuple[int, int]:
    """The span of the word a spelling variant aims at: a hateful keyword or a group word."""
    targets = {w.casefold() for w in _WORD.findall(group)} - _GENERIC
    words = [m for m in _WORD.finditer(text) if len(m.group()) >= 3]
    keys = [m for m in words if m.group().casefold() in keywords | targets]
    pick = rng.choice(keys) if keys else max(words, key=lambda m: len(m.group()))
    return pick.span()


def _respell(word: str, how: str, rng: random.Random) -> str:
    if how == "swap":
        spots = [i for i in range(1, len(word) - 2) if word[i] != word[i + 1]] or \
            [i for i in range(len(word) - 1) if word[i] != word[i + 1]]
        i = rng.choice(spots)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if how == "missing_char":
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1:]
    if how == "added_spaces":
        return " ".join(word)
    # leet: change at least one letter
    spots = [i for i, c in enumerate(word) if c.lower() in _LEET]
    if not spots:
        return word
    keep = rng.choice(spots)
    return "".join(_LEET[c.lower()] if c.lower() in _LEET and (i == keep or rng.random() < 0.5)
                   else c for i, c in enumerate(word))


def _no_spaces(text: str, start: int, rng: random.Random) -> str:
    """Remove the spaces between the key word and one or two of its neighbours."""
    tokens = text.split(" ")
    k = text[:start].count(" ")
    n = min(rng.choice((2, 3)), len(tokens))
    first = rng.choice([s for s in range(max(0, k - n + 1), k + 1) if s + n <= len(tokens)])
    return " ".join([*tokens[:first], "".join(tokens[first:first + n]), *tokens[first + n:]])


def respell(text: str, group: str, how: str, rng: random.Random,
            keywords: frozenset[str] = T.SPELLING_KEYWORDS) -> str:
    """One spelling variant of ``text`` aimed at its key word (the text itself if none fits)."""
    if len(_WORD.findall(text)) < 2:
        return text
    start, end = _key_span(text, group, rng, keywords)
    if how == "no_spaces":
        return _no_spaces(text, start, rng)
    return text[:start] + _respell(text[start:end], how, rng) + text[end:]


def _v3_rows(row: RowFn, hateful_sentences: list[tuple[str, str, str]],
             hate_base: list[Source], benign_base: list[Source]) -> Iterator[dict[str, Any]]:
    # A separate generator so the v1/v2 rows above are exactly as they were.
    rng = random.Random(SEED + 3)
    groups = _groups()
    for category, by_severity in T.V3_HATEFUL.items():
        for severity, temps in by_severity.items():
            for ti, temp in enumerate(temps):
                tid = f"v3_{category}_{severity[:3]}{ti}"
                for strand, g in rng.sample(groups, 9):
                    text = temp.format(G=g)
                    hate_base.append((text, strand, severity, tid, g))
                    hateful_sentences.append((text, strand, severity))
                    yield row(text, 1, strand, severity, category, tid)
    slurs = _pool(T.SLURS)
    for ti, temp in enumerate(T.SLUR_TEMPLATES):
        for strand, s in rng.sample(slurs, 8):
            text = temp.format(S=s)
            hate_base.append((text, strand, "derogation", f"v3_slur{ti}", s))
            yield row(text, 1, strand, "derogation", "hate_slur", f"v3_slur{ti}")

    for fi, frame in enumerate(T.COUNTER_FRAMES_V3):
        for text, strand, _sev in rng.sample(hateful_sentences, 15):
            yield row(frame.format(h=text), 0, strand, "none", "counter_quote", f"v3_cq{fi}")
    families = (("negated", T.NEGATED_V3, 8), ("neutral_mention", T.NEUTRAL_V3, 8),
                ("positive_mention", T.POSITIVE_V3, 8), ("counter_speech", T.COUNTER_SPEECH_V3, 8),
                ("profane_support", T.PROFANE_SUPPORT_V3, 8))
    for category, temps, n in families:
        for ti, temp in enumerate(temps):
            for strand, g in rng.sample(groups, n):
                text = temp.format(G=g)
                benign_base.append((text, strand, "none", f"v3_{category}{ti}", g))
                yield row(text, 0, strand, "none", category, f"v3_{category}{ti}")
    for ti, temp in enumerate(T.IDENTITY_V3):
        for strand, g in rng.sample(groups, 8):
            a = T.GROUP_SINGULAR[g]
            text = temp.format(A=a)
            benign_base.append((text, strand, "none", f"v3_identity{ti}", a))
            yield row(text, 0, strand, "none", "identity", f"v3_identity{ti}")
    for ti, (text, strand) in enumerate(T.RECLAIMED_V3):
        yield row(text, 0, strand, "none", "reclaimed", f"v3_reclaimed{ti}")
    fixed = (("slur_homonym", T.SLUR_HOMONYMS), ("profanity", T.PROFANITY_V3),
             ("abuse_individual", T.ABUSE_YOU))
    for category, texts in fixed:
        for ti, text in enumerate(texts):
            yield row(text, 0, None, "none", category, f"v3_{category}{ti}")
    for ti, temp in enumerate(T.ABUSE_OBJECT):
        for thing in rng.sample(T.ABUSED_OBJECTS, 5):
            yield row(temp.format(O=thing), 0, None, "none", "abuse_object", f"v3_object{ti}")
    for ti, temp in enumerate(T.ABUSE_INDIVIDUAL):
        for person in rng.sample(T.ABUSED_PEOPLE, 4):
            yield row(temp.format(P=person), 0, None, "none", "abuse_individual",
                      f"v3_person{ti}")
    targets = T.NON_PROTECTED + T.NON_PROTECTED_V3_TARGETS
    for ti, temp in enumerate(T.NON_PROTECTED_V3):
        for target in rng.sample(targets, 7):
            yield row(temp.format(N=target), 0, None, "none", "non_protected", f"v3_np{ti}")

    # Spelling variants keep the template id of their source sentence (same CV group), and
    # the same variants are applied to non-hateful sentences so spelling alone means nothing.
    for how in SPELLING_VARIANTS:
        for label, base, n, prefix in ((1, hate_base, SPELLING_HATEFUL_N, "hate"),
                                       (0, benign_base, SPELLING_BENIGN_N, "neutral")):
            for text, src_strand, severity, tid, g in rng.sample(base, n):
                variant = respell(text, g, how, rng)
                if variant != text:
                    yield row(variant, label, src_strand, severity, f"{prefix}_spelling_{how}", tid)


# --- v4: implicit hate, questions, negated positives, veiled threats, "you" abuse --------------


V4_GROUPS_PER_HATEFUL = 7
V4_GROUPS_PER_BENIGN = 8
V4_QUOTES_PER_FRAME = 5
V4_SPELLING_HATEFUL_N = 24
V4_SPELLING_BENIGN_N = 16


def _v4_pool(temp: str) -> list[tuple[str, str]]:
    """The groups a v4 template may name: all of them unless ``V4_POOLS`` narrows it."""
    allowed = T.V4_POOLS.get(temp)
    groups = _groups()
    return groups if allowed is None else [(s, g) for s, g in groups
                                           if s in allowed or g in allowed]


def _v4_rows(row: RowFn) -> Iterator[dict[str, Any]]:
    # Its own generator again, so every v1-v3 row stays exactly as it was.
    rng = random.Random(SEED + 4)
    hate_base: list[Source] = []
    benign_base: list[Source] = []
    for category, by_severity in T.V4_HATEFUL.items():
        for severity, temps in by_severity.items():
            for ti, temp in enumerate(temps):
                tid = f"v4_{category}_{severity[:3]}{ti}"
                pool = _v4_pool(temp)
                for strand, g in rng.sample(pool, min(V4_GROUPS_PER_HATEFUL, len(pool))):
                    text = temp.format(G=g)
                    hate_base.append((text, strand, severity, tid, g))
                    yield row(text, 1, strand, severity, category, tid)
    # Quoted to condemn it, the same implicit hate is not hateful.
    for fi, frame in enumerate(T.COUNTER_FRAMES_V3):
        for text, quoted_strand, _sev, _tid, _g in rng.sample(hate_base, V4_QUOTES_PER_FRAME):
            yield row(frame.format(h=text), 0, quoted_strand, "none", "counter_quote",
                      f"v4_cq{fi}")
    families = (("neutral_mention", T.NEUTRAL_V4), ("positive_mention", T.POSITIVE_V4),
                ("counter_speech", T.COUNTER_SPEECH_V4), ("negated", T.NEGATED_V4))
    for category, temps in families:
        for ti, temp in enumerate(temps):
            pool = _v4_pool(temp)
            for strand, g in rng.sample(pool, min(V4_GROUPS_PER_BENIGN, len(pool))):
                text = temp.format(G=g)
                benign_base.append((text, strand, "none", f"v4_{category}{ti}", g))
                yield row(text, 0, strand, "none", category, f"v4_{category}{ti}")
    for ti, text in enumerate(T.NO_TARGET_V4):
        yield row(text, 0, None, "none", "no_target", f"v4_no_target{ti}")
    for how in SPELLING_VARIANTS:
        for label, base, n, prefix in ((1, hate_base, V4_SPELLING_HATEFUL_N, "hate"),
                                       (0, benign_base, V4_SPELLING_BENIGN_N, "neutral")):
            for text, src_strand, severity, tid, g in rng.sample(base, n):
                variant = respell(text, g, how, rng, T.V4_SPELLING_KEYWORDS)
                if variant != text:
                    yield row(variant, label, src_strand, severity, f"{prefix}_spelling_{how}", tid)


# --- v5: threats as their own signal, roles and places, implicit hate, misogyny, emoji, -----------
# multi-sentence posts. Severity (and so ``threat``) is set per template list below: the hateful
# lists carry theirs, the unprotected-threat lists are "threat" with hateful 0, and every other
# non-hateful list is "none".

V5_GROUPS_PER_THREAT = 7
V5_TARGETS_PER_UNPROTECTED = 4
V5_ROLES_PER_TEMPLATE = 5
V5_GROUPS_PER_TEMPLATE = 6
V5_MULTI_PER_FOLLOW = 8
V5_QUOTES_PER_FRAME = 8


def _v5_rows(row: RowFn) -> Iterator[dict[str, Any]]:
    # Its own generator, so every v1-v4 row stays exactly as it was.
    rng = random.Random(SEED + 5)
    groups = _groups()
    # Multi-sentence openers and the "always" generalisations read oddly with "women"/"girls";
    # misogyny has its own family.
    multi_groups = [(s, g) for s, g in groups if s != "sex_gender"]
    roles, places = list(T.V5_ROLES), list(T.V5_PLACES)
    hate_threats: list[tuple[str, str]] = []  # (text, strand): quoted by the counter frames
    other_threats: list[str] = []

    def pick(pool: list[Any], n: int) -> list[Any]:
        return rng.sample(pool, min(n, len(pool)))

    # a. Threats: the same frames at protected targets (hateful) and unprotected ones (not).
    threat_sets = (
        ("many", T.V5_THREAT_MANY, groups, "hate_threat_indirect", T.V5_UNPROTECTED_MANY),
        ("one", T.V5_THREAT_ONE, roles, "hate_threat_role", T.V5_UNPROTECTED_ONE),
        ("place", T.V5_THREAT_PLACE, places, "hate_threat_role", T.V5_UNPROTECTED_PLACES),
    )
    for kind, temps, pool, category, unprotected in threat_sets:
        n = V5_GROUPS_PER_THREAT if kind == "many" else V5_ROLES_PER_TEMPLATE
        for ti, temp in enumerate(temps):
            for strand, target in pick(pool, n):
                text = temp.format(T=target)
                hate_threats.append((text, strand))
                yield row(text, 1, strand, "threat", category, f"v5_thr_{kind}{ti}")
            for target in pick(list(unprotected), V5_TARGETS_PER_UNPROTECTED):
                text = temp.format(T=target)
                other_threats.append(text)
                yield row(text, 0, None, "threat", "threat_unprotected", f"v5_tu_{kind}{ti}")
    for ti, (text, strand) in enumerate(T.V5_THREAT_FIXED):
        hate_threats.append((text, strand))
        yield row(text, 1, strand, "threat", "hate_threat_role", f"v5_thr_fixed{ti}")

    # c. Roles and places: derogation and dehumanisation, and neutral or warm mirrors.
    for kind, by_severity, pool in (("role", T.V5_ROLE_HATEFUL, roles),
                                    ("place", T.V5_PLACE_HATEFUL, places)):
        for severity, temps in by_severity.items():
            for ti, temp in enumerate(temps):
                for strand, target in pick(pool, V5_GROUPS_PER_TEMPLATE):
                    yield row(temp.format(R=target, L=target), 1, strand, severity, "hate_role",
                              f"v5_{kind}_{severity[:3]}{ti}")
    for kind, temps, pool in (("role", T.V5_ROLE_NEUTRAL, roles),
                              ("place", T.V5_PLACE_NEUTRAL, places)):
        for ti, temp in enumerate(temps):
            for strand, target in pick(pool, V5_GROUPS_PER_TEMPLATE):
                yield row(temp.format(R=target, L=target), 0, strand, "none", "role_neutral",
                          f"v5_{kind}_neutral{ti}")

    # b. Violent words that threaten no one: news, fiction, sport, idioms, quotes, negations.
    for kind, temps, pool in (("place", T.V5_NEWS_ATTACK, places),
                              ("role", T.V5_NEWS_ROLE, roles)):
        for ti, temp in enumerate(temps):
            for strand, target in pick(pool, V5_ROLES_PER_TEMPLATE):
                yield row(temp.format(R=target, L=target), 0, strand, "none", "news_attack",
                          f"v5_news_{kind}{ti}")
    fixed = (("news_violence", T.V5_NEWS_NO_GROUP), ("fiction_violence", T.V5_FICTION),
             ("sport_banter", T.V5_SPORT), ("violent_idiom", T.V5_IDIOMS))
    for category, texts in fixed:
        for ti, text in enumerate(texts):
            yield row(text, 0, None, "none", category, f"v5_{category}{ti}")
    for fi, frame in enumerate(T.V5_COUNTER_FRAMES):
        for text, strand in pick(hate_threats, V5_QUOTES_PER_FRAME):
            yield row(frame.format(h=text), 0, strand, "none", "counter_quote", f"v5_cq{fi}")
        for text in pick(other_threats, V5_QUOTES_PER_FRAME):
            yield row(frame.format(h=text), 0, None, "none", "counter_threat", f"v5_ct{fi}")
    for ti, temp in enumerate(T.V5_NEGATED_THREATS):
        for strand, g in pick(groups, V5_MULTI_PER_FOLLOW):
            yield row(temp.format(G=g), 0, strand, "none", "negated_threat", f"v5_neg_thr{ti}")

    # d. Implicit hate, and its mirrors.
    for ti, (text, strand, severity) in enumerate(T.V5_IMPLICIT_FIXED):
        yield row(text, 1, strand, severity, "hate_implicit", f"v5_implicit_fixed{ti}")
    for ti, temp in enumerate(T.V5_IMPLICIT_GENERAL):
        for strand, g in pick(multi_groups, V5_GROUPS_PER_THREAT):
            yield row(temp.format(G=g), 1, strand, "derogation", "hate_implicit",
                      f"v5_implicit{ti}")
    for ti, (text, strand) in enumerate(T.V5_IMPLICIT_COUNTER):
        yield row(text, 0, strand, "none", "implicit_counter", f"v5_implicit_counter{ti}")
    for ti, (text, strand) in enumerate(T.V5_RECLAIMED):
        yield row(text, 0, strand, "none", "reclaimed", f"v5_reclaimed{ti}")
    for category, temps in (("negated", T.V5_IMPLICIT_NEGATED),
                            ("positive_mention", T.V5_IMPLICIT_POSITIVE)):
        for ti, temp in enumerate(temps):
            allowed = T.V5_POOLS.get(temp)
            pool = [(s, g) for s, g in multi_groups if allowed is None or s in allowed]
            for strand, g in pick(pool, V5_GROUPS_PER_TEMPLATE):
                yield row(temp.format(G=g), 0, strand, "none", category, f"v5_{category}{ti}")

    # e. Misogyny and its mirrors.
    women = list(T.V5_WOMEN)
    for severity, temps in T.V5_MISOGYNY.items():
        for ti, temp in enumerate(temps):
            for w in pick(women, V5_ROLES_PER_TEMPLATE):
                yield row(temp.format(W=w), 1, "sex_gender", severity, "hate_misogyny",
                          f"v5_misogyny_{severity[:3]}{ti}")
    for ti, (text, severity) in enumerate(T.V5_MISOGYNY_FIXED):
        yield row(text, 1, "sex_gender", severity, "hate_misogyny", f"v5_misogyny_fixed{ti}")
    for ti, temp in enumerate(T.V5_MISOGYNY_MIRROR):
        for w in pick(women, V5_ROLES_PER_TEMPLATE):
            yield row(temp.format(W=w), 0, "sex_gender", "none", "misogyny_mirror",
                      f"v5_misogyny_mirror{ti}")
    for ti, text in enumerate(T.V5_MISOGYNY_MIRROR_FIXED):
        yield row(text, 0, "sex_gender", "none", "misogyny_mirror",
                  f"v5_misogyny_mirror_fixed{ti}")

    # f. Emoji.
    for severity, temps in T.V5_EMOJI_HATEFUL.items():
        for ti, temp in enumerate(temps):
            for strand, g in pick(groups, V5_GROUPS_PER_THREAT):
                yield row(temp.format(G=g), 1, strand, severity, "hate_emoji",
                          f"v5_emoji_{severity[:3]}{ti}")
    for ti, temp in enumerate(T.V5_EMOJI_BENIGN):
        for strand, g in pick(groups, V5_MULTI_PER_FOLLOW):
            yield row(temp.format(G=g), 0, strand, "none", "emoji_benign", f"v5_emoji_benign{ti}")
    for ti, (text, strand) in enumerate(T.V5_EMOJI_BENIGN_FIXED):
        yield row(text, 0, strand, "none", "emoji_benign", f"v5_emoji_benign_fixed{ti}")
    for ti, text in enumerate(T.V5_EMOJI_ANIMALS):
        yield row(text, 0, None, "none", "emoji_animal", f"v5_emoji_animal{ti}")

    yield from _v5_multi(row, rng, multi_groups)


def _v5_multi(row: RowFn, rng: random.Random,
              groups: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """g. Two or three sentences: the target in one, the attack (or not) in the next.

    The template id follows the sentence that decides the label, so a held-out template is a
    held-out attack (or benign follow-up) whatever opener it came with.
    """
    combos = [(o, s, g) for o in T.V5_OPENERS_GROUP for s, g in groups]

    def compose(opener: str, follow: str) -> str:
        # Now and then a benign sentence first, so the target sits in the middle sentence.
        lead = rng.choice(T.V5_OPENERS_PLAIN) + " " if rng.random() < 0.3 else ""
        return f"{lead}{opener} {follow}"

    follow_sets: list[tuple[str, int, str, tuple[str, ...], str]] = [
        (severity, 1, "multi_hate", temps, f"v5_mh_{severity[:3]}")
        for severity, temps in T.V5_FOLLOW_HATE.items()]
    follow_sets += [("threat", 1, "multi_threat", T.V5_FOLLOW_THREAT, "v5_mt"),
                    ("none", 0, "multi_benign", T.V5_FOLLOW_BENIGN, "v5_mb")]
    for severity, label, category, temps, tid in follow_sets:
        for fi, follow in enumerate(temps):
            for opener, strand, g in rng.sample(combos, V5_MULTI_PER_FOLLOW):
                yield row(compose(opener.format(G=g), follow), label, strand, severity, category,
                          f"{tid}{fi}")
    # The same threat follow-ups after an unprotected target: a threat, not hate.
    unprotected = [(o, n) for o in T.V5_OPENERS_UNPROTECTED for n in T.V5_UNPROTECTED_MANY]
    for fi, follow in enumerate(T.V5_FOLLOW_THREAT):
        for opener, n in rng.sample(unprotected, V5_TARGETS_PER_UNPROTECTED + 2):
            yield row(compose(opener.format(N=n), follow), 0, None, "threat",
                      "threat_unprotected", f"v5_tu_multi{fi}")
    # A plain opener, then a sentence naming and attacking (or warmly mentioning) a group.
    second_sets: list[tuple[str, int, str, tuple[str, ...], str]] = [
        (severity, 1, "multi_threat" if severity == "threat" else "multi_hate", temps,
         f"v5_m2_{severity[:3]}") for severity, temps in T.V5_SECOND_HATE.items()]
    second_sets.append(("none", 0, "multi_benign", T.V5_SECOND_BENIGN, "v5_m2_ben"))
    for severity, label, category, temps, tid in second_sets:
        for si, second in enumerate(temps):
            for strand, g in rng.sample(groups, V5_GROUPS_PER_THREAT):
                text = f"{rng.choice(T.V5_OPENERS_PLAIN)} {second.format(G=g)}"
                yield row(text, label, strand, severity, category, f"{tid}{si}")
    # Hate quoted or reported, then condemned; news of an attack over two or three sentences.
    for oi, opener in enumerate(T.V5_COUNTER_OPENERS):
        for fi, follow in enumerate(T.V5_COUNTER_FOLLOW):
            for strand, g in rng.sample(groups, 2):
                yield row(f"{opener.format(G=g)} {follow}", 0, strand, "none", "multi_counter",
                          f"v5_mc{oi}_{fi}")
    for ni, news in enumerate(T.V5_NEWS_MULTI):
        for fi, follow in enumerate(T.V5_NEWS_MULTI_FOLLOW):
            for strand, place in rng.sample(list(T.V5_PLACES), 2):
                yield row(f"{news.format(L=place)} {follow}", 0, strand, "none", "multi_benign",
                          f"v5_mn{ni}_{fi}")


# --- v6: emoji on benign rows as often as on hateful ones ----------------------------------------
# Until v6 a group written as an emoji ("\u262a\ufe0f people") and a violent word written as one
# ("\U0001f52a") appeared almost only in hateful rows (the obfuscated spellings), so an emoji
# itself read as hate. These rows put the same spellings in benign sentences, and give every
# hateful emoji template a twin with the same group and a friendly emoji.

V6_TWINS_PER_TEMPLATE = 6


def _v6_emoji_mirrors(row: RowFn) -> Iterator[dict[str, Any]]:
    rng = random.Random(SEED + 6)  # its own generator: earlier rows stay exactly as they were
    emoji_groups = [(s, g) for s, g in _groups() if g in T.EMOJI_GROUPS]
    families = (("counter_speech", T.COUNTER_SPEECH), ("negated", T.NEGATED),
                ("neutral", T.NEUTRAL), ("profane_support", T.PROFANE_SUPPORT),
                ("identity", T.IDENTITY), ("positive_v3", T.POSITIVE_V3),
                ("positive_v4", T.POSITIVE_V4))

    # The same spellings on the hateful templates, so an emoji group is no clue either way.
    for tid, temps_by_sev in (("h", T.HATEFUL), ("m", T.MORE_HATEFUL)):
        for severity, temps in temps_by_sev.items():
            for ti, temp in enumerate(temps):
                strand, g = rng.choice(emoji_groups)
                yield row(_emoji_spelt(temp.format(G=g), g), 1, strand, severity, "hate_emoji",
                          f"v6_emoji_{tid}{severity}{ti}")
    for family, temps in families:
        for ti, temp in enumerate(temps):
            strand, g = rng.choice(emoji_groups)
            yield row(_emoji_spelt(temp.format(G=g), g), 0, strand, "none", "emoji_benign",
                      f"v6_emoji_{family}{ti}")
    groups = _groups()
    for ti, temp in enumerate(T.V6_EMOJI_TWINS):
        for strand, g in rng.sample(groups, V6_TWINS_PER_TEMPLATE):
            yield row(temp.format(G=g), 0, strand, "none", "emoji_benign", f"v6_emoji_twin{ti}")
    for ti, text in enumerate(T.V6_EMOJI_OBJECTS):
        yield row(text, 0, None, "none", "emoji_animal", f"v6_emoji_object{ti}")


def written(path: Path = WRITTEN) -> Iterator[dict[str, Any]]:
    """The hand-written posts, checked against the labelling rules above."""
    if not path.is_file():
        return
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        r = json.loads(line)
        bad = (set(r) != _WRITTEN_KEYS
               or (r["threat"] == 1) != (r["severity"] == "threat")
               or (r["hateful"] == 0 and r["threat"] == 0 and r["severity"] != "none")
               or (r["hateful"] == 1 and not r["strand"]))
        if bad:
            raise ValueError(f"{path}:{n}: row breaks the labelling rules: {r}")
        yield r


def build(path: Path = OUT) -> int:
    seen: set[str] = set()
    out: list[str] = []
    for r in itertools.chain(rows(), written()):
        key = r["text"].casefold()
        if key not in seen:
            seen.add(key)
            out.append(json.dumps(r, ensure_ascii=False))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


if __name__ == "__main__":
    print(f"{build()} rows → {OUT}")
