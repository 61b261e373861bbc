"""Corpus readers against ../shared/data (skipped with the reason when it is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.data import davidson, hatemoji, hatexplain, mlma, olid, stormfront, toxigen
from models.data.base import DataError, Example, dedupe, strand_for
from tests.conftest import shared_path

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def data_dir() -> Path:
    return shared_path("data")


def test_davidson_offensive_is_not_hate(data_dir: Path) -> None:
    rows = davidson.read(data_dir)
    assert len(rows) > 24_000
    assert sum(r.label for r in rows) == 1430  # only class 0
    assert not any("&amp;" in r.text or r.text.startswith("RT @") for r in rows[:500])


def test_hatexplain_majority_and_held_out_test(data_dir: Path) -> None:
    train, test = hatexplain.read(data_dir, "train"), hatexplain.read(data_dir, "test")
    assert {r.text for r in train}.isdisjoint({r.text for r in test}) or len(train) > 1500
    assert 0 < sum(r.label for r in train) < len(train)
    assert any("race" in r.strands for r in train if r.label)
    assert not any("<user>" in r.text for r in train)


def test_hatemoji_severity_and_strands(data_dir: Path) -> None:
    rows = hatemoji.read(data_dir)
    assert {r.severity for r in rows if r.label} <= {"threat", "dehumanisation", "derogation"}
    assert all(r.severity is None for r in rows if not r.label)
    assert len(hatemoji.read(data_dir, "test")) == 593


def test_stormfront_test_ids_never_in_train(data_dir: Path) -> None:
    held = stormfront.test_ids(data_dir)
    test = stormfront.read(data_dir, "test")
    train = stormfront.read(data_dir, "train")
    assert len(test) == len(held) == 478
    assert len(train) + len(test) == 10_703  # hate + noHate rows, each on exactly one side


def test_mlma_counts_only_hateful_as_hate(data_dir: Path) -> None:
    rows = mlma.read(data_dir)
    assert rows and all(r.strands for r in rows if r.label)
    assert not any("@user" in r.text.lower() for r in rows)


def test_olid_is_negatives_only(data_dir: Path) -> None:
    rows = olid.read(data_dir)
    assert rows and all(r.label == 0 for r in rows)
    assert not any(r.group.endswith(("GRP", "OTH")) for r in rows)


def test_toxigen_splits_and_dedupes(data_dir: Path) -> None:
    rows = toxigen.read(data_dir)
    assert not any("\\n" in r.text or r.text.startswith("-") for r in rows)
    keys = [" ".join(r.text.casefold().split()) for r in rows]
    assert len(keys) == len(set(keys))
    assert {r.label for r in rows} == {0, 1}


def test_toxigen_statement_split() -> None:
    assert toxigen.statements("- one thing\\n- another\\n-third") == [
        "one thing", "another", "third"]


def test_unknown_split_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown split"):
        davidson.read(tmp_path, "test")
    with pytest.raises(DataError, match="missing"):
        olid.read(tmp_path)


def test_strand_mapping_and_dedupe() -> None:
    assert strand_for("blawom") == "race"
    assert strand_for("gaywom") == "sexual_orientation"
    assert strand_for("Islam") == "religion"
    assert strand_for("special_needs") == "disability"
    assert strand_for("None") is None
    rows = [Example("Same text", 1, "a"), Example("same  TEXT", 0, "b"), Example("x", 0, "c")]
    assert [r.text for r in dedupe(rows)] == ["x"]  # conflicting labels drop both
