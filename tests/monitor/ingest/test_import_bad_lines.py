"""Lines that used to abort a whole import (RecursionError, OverflowError, and on PostgreSQL a
DataError that lost the batch) are rejected one by one with their line number and reason; every
good line is stored. Runs on SQLite and, with HATE_MONITOR_TEST_DATABASE_URL, on PostgreSQL:
both must accept and refuse the same lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import DataError
from sqlmodel import func, select

import monitor.ingest.importer as importer
from connectors.post import Post
from monitor.ingest.importer import import_file
from monitor.ingest.pipeline import BatchResult
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from tests.support.fakes import FakeScorer


def good(n: int, **over: object) -> str:
    obj: dict[str, object] = {
        "platform": "mastodon", "post_id": str(n), "url": f"https://example.social/@a/{n}",
        "author": "a@example.social", "created_at": "2026-11-01T12:00:00Z",
        "text": f"post number {n}",
    }
    obj.update(over)
    return json.dumps(obj)


BAD = {
    "deep": ('{"raw": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "year 1": (good(101, created_at="0001-01-01T00:00:00+05:00"), "out of range"),
    "year 9999": (good(102, created_at="9999-12-31T23:59:59-05:00"), "out of range"),
    "too old": (good(103, created_at="1066-10-14T09:00:00Z"), "not between"),
    "nul author": (good(104, author="bad\u0000actor"), "NUL"),
    "nul text": (good(105, text="hello\u0000there"), "NUL"),
    "long post_id": (good(106, post_id="9" * 256), "'post_id' is 256 characters"),
    "long platform": (good(107, platform="p" * 33), "'platform' is 33 characters"),
    "surrogate": ('{"platform": "mastodon", "post_id": "108", "url": "https://x.org/1", '
                  '"author": "a\\ud800", "created_at": "2026-11-01T12:00:00Z", '
                  '"text": "t"}', "surrogate"),
    "huge int": ('{"raw": ' + "1" * 5000 + "}", "not valid JSON"),
}


def test_each_bad_line_is_rejected_and_every_good_line_kept(
    tmp_path: Path, db: Database
) -> None:
    lines: list[str] = []
    expected: dict[int, str] = {}
    n = 0
    for reason_line, reason in BAD.values():
        lines.append(good(n))
        n += 1
        lines.append(reason_line)
        expected[len(lines)] = reason
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t")
    errors = dict(summary.errors)
    assert set(errors) == set(expected), errors
    for number, reason in expected.items():
        assert reason in errors[number], (number, errors[number])
    assert summary.new == n == len(BAD)
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(Capture)).one() == n


def test_a_batch_the_database_refuses_is_stored_line_by_line(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Whatever slips past parsing, a refusal costs that line, not its batch of 256.
    real = importer.process_posts_sync

    def picky(db_: Database, scorer: Any, posts: list[Post], **kw: Any) -> BatchResult:
        if any(p.post_id == "3" for p in posts):
            raise DataError("INSERT ...", {}, Exception("value too long"))
        return real(db_, scorer, posts, **kw)

    monkeypatch.setattr(importer, "process_posts_sync", picky)
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join(good(i) for i in range(9)) + "\n", encoding="utf-8")
    summary = import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t")
    assert summary.new == 8 and summary.errors == [(4, "the database refused it (Exception)")]
