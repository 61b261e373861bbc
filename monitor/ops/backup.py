"""Online backup and restore of the SQLite database.

The backup uses SQLite's online backup API, so it is consistent while the service keeps writing.
A restore checks the file first (SQLite integrity check, a known schema, an intact audit chain)
and only then replaces the live database, keeping the replaced file beside it. PostgreSQL
installations use ``pg_dump``/``pg_restore`` instead (see the README).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.types import utcnow


class BackupError(Exception):
    """A backup or restore that cannot be done, phrased for the administrator."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    bytes: int
    audit_events: int


def sqlite_path(db: Database) -> Path:
    if db.dialect != "sqlite":
        raise BackupError(
            "backup/restore here is for SQLite; for PostgreSQL use pg_dump -Fc and pg_restore "
            "(see the README's operations section)"
        )
    name = make_url(db.url).database
    if not name or name == ":memory:":
        raise BackupError("an in-memory database cannot be backed up")
    return Path(name)


def _check(path: Path) -> int:
    """Integrity + audit chain of a database file; returns the number of audit events."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as err:
        raise BackupError(f"{path}: not a SQLite database ({err})") from err
    if not result or result[0] != "ok":
        raise BackupError(f"{path}: integrity check failed: {result}")
    if "audit_events" not in tables or "alembic_version" not in tables:
        raise BackupError(f"{path}: not a hate-monitor database (no audit_events table)")
    check_db = Database(f"sqlite:///{path}")
    try:
        with check_db.read() as session:
            report = audit.verify(session)
    finally:
        check_db.dispose()
    if not report.ok:
        raise BackupError(
            f"{path}: audit chain broken at event {report.first_bad_id}: {report.problem}"
        )
    return report.events


def backup(db: Database, dest: Path, *, actor: str) -> BackupReport:
    src_path = sqlite_path(db)
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new file name")
    dest.parent.mkdir(parents=True, exist_ok=True)
    with db.write() as session:
        audit.record(session, actor=actor, action="backup", object_type="database",
                     object_id=str(dest.name), reason="backup requested")
    src = sqlite3.connect(src_path)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    events = _check(dest)
    return BackupReport(dest, dest.stat().st_size, events)


def restore(db: Database, source: Path, *, actor: str) -> BackupReport:
    """Replace the live database with ``source``. Stop the service and workers first."""
    live = sqlite_path(db)
    if not source.exists():
        raise BackupError(f"{source}: no such backup file")
    events = _check(source)
    db.dispose()
    if live.exists():
        kept = live.with_name(f"{live.name}.replaced-{utcnow():%Y%m%dT%H%M%SZ}")
        shutil.move(live, kept)
        for suffix in ("-wal", "-shm"):
            side = live.with_name(live.name + suffix)
            if side.exists():
                side.unlink()
    shutil.copyfile(source, live)
    restored = Database(db.url)
    try:
        restored.upgrade()
        with restored.write() as session:
            audit.record(session, actor=actor, action="restore", object_type="database",
                         object_id=str(source.name), reason="restore requested",
                         details={"audit_events_in_backup": events})
    finally:
        restored.dispose()
    return BackupReport(live, live.stat().st_size, events)
