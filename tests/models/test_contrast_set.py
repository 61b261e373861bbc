"""The hand-written contrast set: deterministic, balanced, and grouped by template for CV."""

from __future__ import annotations

import json
import random
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from models.contrast import build
from models.contrast import templates as T

SEVERITIES = {"threat", "dehumanisation", "derogation"}
VARIANT_PREFIXES = ("obfuscated_", "neutral_obfuscated_", "hate_spelling_", "neutral_spelling_")
NO_GROUP = {"no_target", "profanity", "violent_idiom", "non_protected", "slur_homonym",
            "abuse_object", "abuse_individual", "threat_unprotected", "news_violence",
            "fiction_violence", "sport_banter", "counter_threat", "emoji_animal"}
# Non-hateful categories that are never threats (quotes, negations, idioms, news, fiction...).
NEVER_THREAT = {"non_protected", "violent_idiom", "counter_quote", "counter_threat",
                "negated_threat", "news_attack", "news_violence", "fiction_violence",
                "sport_banter", "multi_counter", "role_neutral", "emoji_animal"}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    text = build.OUT.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_build_is_deterministic_and_matches_the_committed_file(tmp_path: Path) -> None:
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert build.build(a) == build.build(b)
    assert a.read_bytes() == b.read_bytes() == build.OUT.read_bytes()


def test_size_and_balance(rows: list[dict[str, Any]]) -> None:
    assert 8500 <= len(rows) <= 12500
    benign = sum(1 for r in rows if r["hateful"] == 0)
    assert 0.45 <= benign / len(rows) <= 0.55
    assert {r["hateful"] for r in rows} == {0, 1}


def test_texts_are_unique_so_no_text_is_both_hateful_and_not(
        rows: list[dict[str, Any]]) -> None:
    labels: dict[str, set[int]] = defaultdict(set)
    for r in rows:
        labels[r["text"].casefold()].add(r["hateful"])
    assert len(labels) == len(rows)
    assert all(len(v) == 1 for v in labels.values())


def test_each_template_id_is_one_template(rows: list[dict[str, Any]]) -> None:
    by_id: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for r in rows:
        if not r["category"].startswith(VARIANT_PREFIXES):
            by_id[r["template"]].add((r["category"], r["hateful"]))
    assert all(len(v) == 1 for v in by_id.values()), {k: v for k, v in by_id.items() if len(v) > 1}
    # Variants share their source's id (and label), never an id of their own.
    for r in rows:
        if r["category"].startswith(VARIANT_PREFIXES):
            ((_cat, label),) = by_id[r["template"]]
            assert label == r["hateful"]
    assert len(by_id) > 400


def test_new_categories_are_present(rows: list[dict[str, Any]]) -> None:
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["category"]] += 1
    wanted = {"hate_negated_positive": 100, "hate_pronoun_reference": 100, "hate_question": 80,
              "hate_opinion": 80, "hate_profanity": 80, "hate_slur": 60, "hate_threat": 300,
              "negated": 250, "neutral_mention": 250, "positive_mention": 150, "identity": 120,
              "counter_quote": 250, "counter_speech": 120, "slur_homonym": 10, "reclaimed": 18,
              "profanity": 30, "profane_support": 120, "abuse_object": 40,
              "abuse_individual": 40, "non_protected": 180, "threat_unprotected": 400}
    for how in build.SPELLING_VARIANTS:
        wanted[f"hate_spelling_{how}"] = 80
        wanted[f"neutral_spelling_{how}"] = 40
    short = {c: (counts.get(c, 0), n) for c, n in wanted.items() if counts.get(c, 0) < n}
    assert not short


WRITTEN_ID = re.compile(r"w[a-z_]+(?:-[a-z_]+)?-\d{3}")


def _written_start(rows: list[dict[str, Any]]) -> int:
    """Where the hand-written posts (``written.jsonl``) start: after every template row."""
    idx = [i for i, r in enumerate(rows) if WRITTEN_ID.fullmatch(r["template"])]
    assert idx == list(range(len(rows) - len(idx), len(rows))), "written posts come last"
    return idx[0] if idx else len(rows)


def test_written_posts_follow_the_labelling_rules(rows: list[dict[str, Any]]) -> None:
    """The written round: realistic posts, half benign look-alikes, one template id each,
    threats at unprotected people carry no strand, most of several sentences."""
    written = rows[_written_start(rows):]
    assert len(written) >= 400
    assert len({r["template"] for r in written}) == len(written)
    assert 0.45 <= sum(1 for r in written if not r["hateful"] and not r["threat"]) / len(
        written) <= 0.55
    for r in written:
        assert r["threat"] == int(r["severity"] == "threat"), r
        if r["hateful"]:
            assert r["severity"] in SEVERITIES and r["strand"] in T.GROUPS, r
        elif r["threat"]:
            assert r["strand"] is None, r
        else:
            assert r["severity"] == "none" and r["strand"] in (None, *T.GROUPS), r
    several = sum(1 for r in written if len(re.findall(r"[.!?](?:\s|$)", r["text"])) >= 2)
    assert several >= 0.4 * len(written)


def _round(rows: list[dict[str, Any]], prefix: str) -> tuple[int, int]:
    """Where a round's rows start and end: one contiguous block, in the order rounds were added."""
    idx = [i for i, r in enumerate(rows) if r["template"].startswith(prefix)]
    assert idx == list(range(idx[0], idx[-1] + 1)), f"{prefix} rows must be contiguous"
    return idx[0], idx[-1] + 1


# The batches kept beside the written posts, not built in, and the share of threats each holds:
# the threat-forms batch is threats and their twins; the look-alikes only look like threats.
WAITING_BATCHES = {"threat_forms_batch.jsonl": (0.4, 0.6), "lookalike_batch.jsonl": (0.0, 0.0)}


def test_the_waiting_batches_are_the_ones_build_names() -> None:
    assert set(WAITING_BATCHES) == {p.name for p in build.WAITING}


@pytest.mark.parametrize(("name", "threats"), WAITING_BATCHES.items())
def test_a_waiting_batch_is_ready_to_append(rows: list[dict[str, Any]], name: str,
                                            threats: tuple[float, float]) -> None:
    """A batch beside the written posts is not built in, but must pass the same labelling
    rules and stay clear of the built rows and of the other batches, so appending it later is
    the whole retry."""
    batch = list(build.written(build.WRITTEN.with_name(name)))
    assert len(batch) >= 200
    assert all(WRITTEN_ID.fullmatch(r["template"]) for r in batch)
    taken = rows + [r for other in WAITING_BATCHES if other != name
                    for r in build.written(build.WRITTEN.with_name(other))]
    assert {r["template"] for r in batch}.isdisjoint({r["template"] for r in taken})
    assert {r["text"].casefold() for r in batch}.isdisjoint(
        {r["text"].casefold() for r in taken})
    low, high = threats
    assert low * len(batch) <= sum(r["threat"] for r in batch) <= high * len(batch)


def test_v4_round_rows_and_templates(rows: list[dict[str, Any]]) -> None:
    """The v4 round: enough rows and distinct templates per family, appended after v1-v3."""
    first, end = _round(rows, "v4_")
    assert first >= 5000
    assert end == _round(rows, "v5_")[0], "v5 rows come straight after v4"
    counts: dict[tuple[str, int], int] = defaultdict(int)
    templates: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in rows[first:end]:
        key = (r["category"], r["hateful"])
        counts[key] += 1
        if not r["category"].startswith(VARIANT_PREFIXES):
            templates[key].add(r["template"])
    # (rows, templates) at least, per category and label.
    wanted = {("hate_derogation", 1): (180, 30), ("hate_dehumanisation", 1): (50, 8),
              ("hate_question", 1): (120, 20), ("hate_negated_positive", 1): (100, 15),
              ("hate_threat", 1): (100, 15), ("neutral_mention", 0): (150, 20),
              ("positive_mention", 0): (150, 20), ("counter_speech", 0): (75, 10),
              ("negated", 0): (110, 15), ("no_target", 0): (8, 8), ("counter_quote", 0): (40, 8)}
    short = {k: (counts[k], len(templates[k]), want) for k, want in wanted.items()
             if counts[k] < want[0] or len(templates[k]) < want[1]}
    assert not short
    for how in build.SPELLING_VARIANTS:
        assert counts[(f"hate_spelling_{how}", 1)] >= 15
        assert counts[(f"neutral_spelling_{how}", 0)] >= 10
    hateful = sum(1 for r in rows[first:end] if r["hateful"])
    assert 0.4 <= hateful / (end - first) <= 0.6


def test_v5_round_rows_and_templates(rows: list[dict[str, Any]]) -> None:
    """The v5 round: enough rows and distinct templates per family, appended last."""
    first, end = _round(rows, "v5_")
    assert end == _round(rows, "v6_")[0], "v5 rows come after every earlier template row"
    assert 2500 <= end - first <= 3500
    counts: dict[tuple[str, int], int] = defaultdict(int)
    templates: dict[tuple[str, int], set[str]] = defaultdict(set)
    for r in rows[first:end]:
        key = (r["category"], r["hateful"])
        counts[key] += 1
        templates[key].add(r["template"])
    # (rows, templates) at least, per category and label.
    wanted = {("hate_threat_indirect", 1): (200, 30), ("hate_threat_role", 1): (150, 40),
              ("threat_unprotected", 0): (300, 60), ("hate_role", 1): (100, 18),
              ("role_neutral", 0): (140, 25), ("news_attack", 0): (50, 12),
              ("news_violence", 0): (20, 20), ("fiction_violence", 0): (20, 20),
              ("sport_banter", 0): (18, 18), ("violent_idiom", 0): (18, 18),
              ("counter_quote", 0): (50, 8), ("counter_threat", 0): (50, 8),
              ("negated_threat", 0): (50, 8), ("hate_implicit", 1): (110, 45),
              ("implicit_counter", 0): (20, 20), ("negated", 0): (40, 8),
              ("positive_mention", 0): (20, 4), ("reclaimed", 0): (6, 6),
              ("hate_misogyny", 1): (70, 25), ("misogyny_mirror", 0): (55, 20),
              ("hate_emoji", 1): (80, 12), ("emoji_benign", 0): (50, 14),
              ("emoji_animal", 0): (12, 12), ("multi_hate", 1): (130, 18),
              ("multi_threat", 1): (120, 15), ("multi_benign", 0): (170, 30),
              ("multi_counter", 0): (60, 30)}
    short = {k: (counts[k], len(templates[k]), want) for k, want in wanted.items()
             if counts[k] < want[0] or len(templates[k]) < want[1]}
    assert not short
    assert set(counts) <= set(wanted), set(counts) - set(wanted)
    benign = sum(1 for r in rows[first:end] if not r["hateful"])
    assert 0.45 <= benign / (end - first) <= 0.6
    # Multi-sentence rows really are two or three sentences.
    for r in rows[first:end]:
        if r["category"].startswith("multi_"):
            assert 2 <= len(re.findall(r"[.!?](?:\s|$)", r["text"])) <= 4, r["text"]


def test_v6_emoji_spellings_are_on_both_sides(rows: list[dict[str, Any]]) -> None:
    """An emoji group or an emoji weapon is no clue to the label: the v6 round puts the
    obfuscated spellings on benign rows too, and twins each hateful emoji template."""
    first, end = _round(rows, "v6_")
    assert end == _written_start(rows), "v6 rows come after every earlier template row"
    v6 = rows[first:end]
    emoji = tuple(T.EMOJI_GROUPS.values())
    with_group = [r for r in rows[:end] if any(e in r["text"] for e in emoji)]
    hateful = sum(r["hateful"] for r in with_group)
    assert 0.35 <= hateful / len(with_group) <= 0.6, (hateful, len(with_group))
    twins = [r for r in v6 if r["template"].startswith("v6_emoji_twin")]
    assert len({r["template"] for r in twins}) == len(T.V6_EMOJI_TWINS) == \
        len(T.V5_EMOJI_HATEFUL["dehumanisation"])
    assert all(r["hateful"] == 0 and r["severity"] == "none" for r in twins)
    assert all(r["severity"] != "none" for r in v6 if r["hateful"])


def test_threat_field(rows: list[dict[str, Any]]) -> None:
    """threat: on every row, 0/1, 1 exactly when severity is "threat"; set per template list."""
    for r in rows[:_written_start(rows)]:  # the written posts: their own test above
        assert r["threat"] in (0, 1), r
        assert r["threat"] == int(r["severity"] == "threat"), r
        if r["hateful"] and r["severity"] == "threat":
            assert r["threat"] == 1, r
        if not r["hateful"] and r["threat"]:
            # A threat at someone the law does not protect: a possible crime, not hate.
            assert r["category"] == "threat_unprotected" and r["strand"] is None, r
        if r["category"] == "threat_unprotected":
            assert r["hateful"] == 0 and r["threat"] == 1, r
        if r["category"] in NEVER_THREAT:
            assert r["threat"] == 0, r
    # Hateful threat families (and the misspelt variants of their threats) are threats.
    for r in rows:
        if r["category"] in ("hate_threat", "hate_threat_individual", "hate_threat_place",
                             "hate_threat_indirect", "hate_threat_role", "multi_threat"):
            assert r["hateful"] == 1 and r["threat"] == 1, r
    # The old threat templates aimed at unprotected targets moved out of non_protected.
    assert all(r["category"] == "threat_unprotected" for r in rows
               if r["template"].startswith("np_threat"))
    assert sum(r["threat"] for r in rows if not r["hateful"]) >= 400
    assert sum(r["threat"] for r in rows if r["hateful"]) >= 1200


def test_threat_frames_meet_both_kinds_of_target(rows: list[dict[str, Any]]) -> None:
    """Each v5 threat frame is used on protected targets (hate) and unprotected ones (not)."""
    ids = {r["template"] for r in rows}
    for kind, temps in (("many", T.V5_THREAT_MANY), ("one", T.V5_THREAT_ONE),
                        ("place", T.V5_THREAT_PLACE)):
        for ti in range(len(temps)):
            assert {f"v5_thr_{kind}{ti}", f"v5_tu_{kind}{ti}"} <= ids, (kind, ti)
    for fi in range(len(T.V5_FOLLOW_THREAT)):
        assert {f"v5_mt{fi}", f"v5_tu_multi{fi}"} <= ids, fi


def test_v5_pools_name_real_strands_and_templates() -> None:
    strands = set(T.GROUPS)
    v5 = set(T.V5_IMPLICIT_NEGATED + T.V5_IMPLICIT_POSITIVE)
    for temp, allowed in T.V5_POOLS.items():
        assert temp in v5, temp
        assert set(allowed) <= strands, allowed
    for strand, _name in T.V5_ROLES + T.V5_PLACES:
        assert strand in strands


def test_v4_pools_name_real_groups_and_templates() -> None:
    groups = {g for names in T.GROUPS.values() for g in names}
    v4_templates = {t for by_sev in T.V4_HATEFUL.values() for temps in by_sev.values()
                    for t in temps}
    v4_templates |= set(T.NEUTRAL_V4 + T.POSITIVE_V4 + T.COUNTER_SPEECH_V4 + T.NEGATED_V4)
    for temp, allowed in T.V4_POOLS.items():
        assert temp in v4_templates, temp
        assert set(allowed) <= set(T.GROUPS) | groups, allowed
        assert build._v4_pool(temp)


def test_labels_severity_and_strand(rows: list[dict[str, Any]]) -> None:
    strands = set(T.GROUPS)
    for r in rows[:_written_start(rows)]:  # the written posts: their own test
        if r["hateful"]:
            assert r["severity"] in SEVERITIES, r
            assert r["strand"] in strands, r
        else:
            assert r["severity"] == ("threat" if r["category"] == "threat_unprotected"
                                     else "none"), r
            if r["category"] in NO_GROUP:
                assert r["strand"] is None, r
            else:
                assert r["strand"] in strands, r


def test_slurs_and_singular_forms_cover_every_group() -> None:
    assert set(T.SLURS) == set(T.GROUPS)
    assert set(T.GROUP_SINGULAR) == {g for names in T.GROUPS.values() for g in names}


@pytest.mark.parametrize("how", build.SPELLING_VARIANTS)
def test_respell_changes_the_key_word(how: str) -> None:
    rng = random.Random(1)
    text = "I hate Muslims so much"
    out = build.respell(text, "Muslims", how, rng)
    assert out != text
    if how == "added_spaces":
        assert "h a t e" in out or "M u s l i m s" in out
    if how == "no_spaces":
        assert out.count(" ") < text.count(" ")
    if how in ("swap", "missing_char", "leet"):
        assert out.count(" ") == text.count(" ")
