from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import func, select

from monitor.ingest.importer import LineError, import_file, parse_line
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.review import QueueItem
from tests.support.fakes import FakeScorer

REPO = Path(__file__).resolve().parents[3]


def line(n: int, **over: object) -> str:
    obj: dict[str, object] = {
        "platform": "mastodon",
        "post_id": str(n),
        "url": f"https://example.social/@a/{n}",
        "author": "a@example.social",
        "created_at": "2026-11-01T12:00:00Z",
        "text": f"post number {n}",
    }
    obj.update(over)
    return json.dumps({k: v for k, v in obj.items() if v is not None})


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


def test_import_reports_bad_lines_and_keeps_good_ones(tmp_path: Path, db: Database) -> None:
    f = write_jsonl(tmp_path / "in.jsonl", [
        line(1),
        "{not json",
        line(2, url="javascript:alert(1)"),
        line(3, created_at="2026-11-01T12:00:00"),
        line(4, text=None),
        "",
        line(5, colour="red"),
        line(6, raw={"id": 6, "content": "<p>post</p>"}, thread_id="t1"),
    ])
    s = import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t")
    assert (s.read, s.new, s.rejected) == (7, 2, 5)
    errors = dict(s.errors)
    assert "not valid JSON" in errors[2]
    assert "http(s) URL" in errors[3]
    assert "no timezone" in errors[4]
    assert "missing required key 'text'" in errors[5]
    assert "unknown key(s) 'colour'" in errors[7]
    assert count(db, Capture) == 2


def test_raw_payload_is_the_line_as_received(tmp_path: Path, db: Database) -> None:
    text = line(1, raw={"id": 1, "spoiler": "é"})
    f = write_jsonl(tmp_path / "in.jsonl", [text])
    import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t")
    with db.read() as s:
        cap = s.exec(select(Capture)).one()
    assert cap.raw == text.encode()


def test_import_twice_gives_same_items(tmp_path: Path, db: Database) -> None:
    f = write_jsonl(tmp_path / "in.jsonl", [line(i) for i in range(50)])
    first = import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t", batch_size=7)
    second = import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t", batch_size=7)
    assert (first.new, second.new, second.duplicate) == (50, 0, 50)
    assert count(db, QueueItem) == 50


def test_parse_line_rejects_non_utf8() -> None:
    with pytest.raises(LineError, match="UTF-8"):
        parse_line(b'{"text": "\xff"}')


# A child process that imports slowly, so the test can SIGKILL it half-way.
CHILD = """
import sys, time
from pathlib import Path
from monitor.ingest.importer import import_file
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from tests.support.fakes import FakeScorer

class Slow(FakeScorer):
    def predict(self, texts):
        time.sleep(0.15)
        return super().predict(texts)

db = Database(sys.argv[1])
import_file(db, Slow(), Path(sys.argv[2]), weights=PriorityWeights(), actor="t", batch_size=10)
"""


def test_kill_9_halfway_then_rerun_ingests_every_line_once(
    tmp_path: Path, db: Database, database_url: str
) -> None:
    n = 400
    f = write_jsonl(tmp_path / "big.jsonl", [line(i) for i in range(n)])
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, database_url, str(f)], env=env)
    try:
        deadline = time.monotonic() + 60
        while count(db, Capture) < 50:
            assert child.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    partial = count(db, Capture)
    assert 0 < partial < n
    summary = import_file(db, FakeScorer(), f, weights=PriorityWeights(), actor="t")
    assert summary.new == n - partial
    assert summary.duplicate == partial
    assert count(db, Capture) == n
    assert count(db, QueueItem) == n
