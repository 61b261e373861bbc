"""``restore`` under a running service: refused while anyone holds the database, and the copy of
the replaced database it keeps is a consistent online backup (commits still in the WAL too)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli.context import CliContext
from monitor.cli.main import cli
from monitor.config import load_settings
from monitor.ingest.pipeline import process_posts_sync
from monitor.ops.backup import BackupError, backup, restore
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.lock import DatabaseInUse, hold_shared, take_exclusive
from tests.support.fakes import FakeScorer, make_post


def fill(db: Database, n: int, start: int = 0) -> None:
    process_posts_sync(db, FakeScorer(), [make_post(i) for i in range(start, start + n)],
                       weights=PriorityWeights(), origin="import", actor="t")


def captures_in(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def live(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'live.db'}")
    db.upgrade()
    fill(db, 3)
    backup(db, tmp_path / "bk.db", actor="t")
    return db


def test_restore_is_refused_while_a_process_holds_the_database(
    live: Database, tmp_path: Path
) -> None:
    held = hold_shared(live.url)  # what serve and worker take for their lifetime
    try:
        with pytest.raises(BackupError, match="in use"):
            restore(live, tmp_path / "bk.db", actor="t")
    finally:
        assert held is not None
        held.release()
    restore(live, tmp_path / "bk.db", actor="t")  # nobody holds it now: allowed
    live.dispose()


def test_cli_restore_refused_while_serve_or_worker_context_is_open(
    live: Database, tmp_path: Path
) -> None:
    settings = load_settings(None, env={}).with_overrides(database__url=live.url)
    service = CliContext(settings)
    service.database()  # serve and worker open the database through this, holding the lock
    try:
        result = CliRunner().invoke(
            cli, ["restore", str(tmp_path / "bk.db"), "--yes"],
            env={"HATE_MONITOR_DATABASE_URL": live.url},
        )
        assert result.exit_code == 1, result.output
        assert "restore refused" in result.output and "Traceback" not in result.output
        with pytest.raises(DatabaseInUse):
            take_exclusive(live.url)
    finally:
        service.close()
    result = CliRunner().invoke(cli, ["restore", str(tmp_path / "bk.db"), "--yes"],
                                env={"HATE_MONITOR_DATABASE_URL": live.url})
    assert result.exit_code == 0, result.output
    live.dispose()


def test_kept_copy_holds_commits_still_in_the_wal(live: Database, tmp_path: Path) -> None:
    fill(live, 3, start=100)
    live.dispose()
    # A connection left open with checkpoints off: its commits live only in live.db-wal.
    other = sqlite3.connect(tmp_path / "live.db")
    other.execute("PRAGMA wal_autocheckpoint=0")
    other.execute("CREATE TABLE scratch (x INTEGER)")
    other.execute("INSERT INTO scratch VALUES (1), (2), (3)")
    other.commit()
    assert (tmp_path / "live.db-wal").stat().st_size > 0
    try:
        restore(live, tmp_path / "bk.db", actor="t")
    finally:
        other.close()
    kept = next(tmp_path.glob("live.db.replaced-*"))
    assert captures_in(kept) == 6
    conn = sqlite3.connect(kept)
    try:
        assert conn.execute("SELECT count(*) FROM scratch").fetchone()[0] == 3
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()
    assert captures_in(tmp_path / "live.db") == 3
