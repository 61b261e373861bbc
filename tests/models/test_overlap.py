"""The word-run check a written post passes before it is frozen or trained on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import evaluation as ev
from models import overlap
from models.contrast import build


def test_runs_ignore_case_punctuation_and_emoji() -> None:
    assert overlap.runs("Anyone know a DECENT plumber, in Leeds? 🔧", 6) == {
        ("anyone", "know", "a", "decent", "plumber", "in"),
        ("know", "a", "decent", "plumber", "in", "leeds")}
    assert overlap.runs("too short to hold a run", 8) == set()


def test_shared_runs_name_the_post_the_run_and_the_file() -> None:
    known = {"a.jsonl": ["the lead off the church roof went last night"],
             "b.jsonl": ["nothing in common here at all, honestly"]}
    rows = [{"id": "x1", "text": "Someone had the lead off the church roof again"},
            {"text": "A lovely quiet day at the allotment with the dog"}]
    found = overlap.shared_runs(rows, known)
    assert [(s.row, s.name, s.source) for s in found] == [(1, "x1", "a.jsonl")]
    assert found[0].run in {"had the lead off the church", "the lead off the church roof"}
    assert not overlap.shared_runs(rows[1:], known)


def test_the_check_reads_training_batches_and_every_realistic_file() -> None:
    known = overlap.known_text()
    assert {build.OUT.name, *(p.name for p in build.WAITING),
            *(p.name for p in ev.REALISTIC_FILES)} == set(known)
    # A file is not checked against itself, so a frozen file can be checked again.
    assert ev.REALISTIC_DEV3.name not in overlap.known_text(exclude=[ev.REALISTIC_DEV3])


def test_the_command_lists_drops_keeps_the_rest_and_fails_on_any(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = json.loads(ev.REALISTIC_DEV3.read_text(encoding="utf-8").splitlines()[0])
    fresh = {"id": "n2", "text": "Zebra crossing quartet juggled marmalade under orbiting "
                                 "teapots yesterday"}
    new = tmp_path / "new.jsonl"
    new.write_text(json.dumps({"id": "n1", "text": taken["text"]}) + "\n"
                   + json.dumps(fresh) + "\n", encoding="utf-8")
    kept = tmp_path / "kept.jsonl"
    assert overlap.main([str(new), "--write-kept", str(kept)]) == 1
    out = capsys.readouterr().out
    assert "n1: shares '" in out and "realistic_dev3.jsonl" in out
    assert "1 of 2 posts share a 6-word run" in out
    assert [json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines()] == [fresh]
    only_fresh = tmp_path / "fresh.jsonl"
    only_fresh.write_text(json.dumps(fresh) + "\n", encoding="utf-8")
    assert overlap.main([str(only_fresh)]) == 0


@pytest.mark.parametrize("body", ['{"id": 1}\n', "not json\n", '["a list"]\n'])
def test_a_bad_file_is_refused_with_its_name(tmp_path: Path, body: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        overlap.main([str(bad)])
    assert exc.value.code == 2 and "bad.jsonl" in capsys.readouterr().err


def test_the_kept_posts_never_overwrite_the_file_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "new.jsonl"
    body = json.dumps({"id": "n1", "text": "a post about nothing in particular today"}) + "\n"
    new.write_text(body, encoding="utf-8")
    for target in (str(new), str(tmp_path / "missing" / "kept.jsonl")):
        with pytest.raises(SystemExit) as exc:
            overlap.main([str(new), "--write-kept", target])
        assert exc.value.code == 2 and "--write-kept" in capsys.readouterr().err
    assert new.read_text(encoding="utf-8") == body
