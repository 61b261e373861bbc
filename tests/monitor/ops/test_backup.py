from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from monitor.audit import chain as audit
from monitor.ingest.pipeline import process_posts_sync
from monitor.ops.backup import BackupError, backup, restore
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.ops import AuditEvent
from tests.support.fakes import FakeScorer, make_post


def fill(db: Database, n: int, start: int = 0) -> None:
    process_posts_sync(db, FakeScorer(), [make_post(i) for i in range(start, start + n)],
                       weights=PriorityWeights(), origin="import", actor="t")


def captures(db: Database) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(Capture)).one())


def test_backup_restore_round_trip_keeps_audit_chain(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'live.db'}")
    db.upgrade()
    fill(db, 5)
    report = backup(db, tmp_path / "b" / "backup.db", actor="t")
    assert report.audit_events == 2  # the collection, then the backup itself
    fill(db, 3, start=100)  # written after the backup: gone after the restore
    assert captures(db) == 8
    restored = restore(db, tmp_path / "b" / "backup.db", actor="t")
    db2 = Database(db.url)
    assert captures(db2) == 5
    with db2.read() as s:
        chain = audit.verify(s)
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert chain.ok and actions == ["collect", "backup", "restore"]
    assert restored.audit_events == 2
    assert list(tmp_path.glob("live.db.replaced-*")), "the replaced database is kept"
    db2.dispose()


def test_restore_refuses_a_broken_file(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'live.db'}")
    db.upgrade()
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not a database" * 100)
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(db, bogus, actor="t")
    with pytest.raises(BackupError, match="no such backup"):
        restore(db, tmp_path / "missing.db", actor="t")
    (tmp_path / "exists.db").write_bytes(b"")
    with pytest.raises(BackupError, match="already exists"):
        backup(db, tmp_path / "exists.db", actor="t")
    db.dispose()


def test_postgres_is_pointed_at_pg_dump() -> None:
    db = Database("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(BackupError, match="pg_dump"):
        backup(db, Path("/tmp/x.db"), actor="t")
