"""Engines, sessions and migrations for SQLite (default) and PostgreSQL (scaled path).

SQLite follows Datasette's shape: WAL so readers never wait for the writer, and every write
transaction starts with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing
half-way with "database is locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from sqlmodel import Session

T = TypeVar("T")

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class DatabaseError(Exception):
    """The database cannot be opened or is at a schema this build does not know."""


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=NullPool if immediate else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own handling is wrong).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


class Database:
    """One database, reached through a writer and a reader engine (the same one on PostgreSQL)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self.writer = _sqlite_engine(url, immediate=True)
            self.reader = _sqlite_engine(url, immediate=False)
        elif self.dialect == "postgresql":
            if make_url(url).drivername == "postgresql":
                url = str(make_url(url).set(drivername="postgresql+psycopg"))
                self.url = url
            self.writer = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)
            self.reader = self.writer
        else:
            raise DatabaseError(
                f"database.url {url!r}: unsupported backend {self.dialect!r}; "
                "use sqlite:///PATH or postgresql://..."
            )

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, committed on success and rolled back on any error."""
        with Session(self.writer, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.reader, expire_on_commit=False) as session:
            yield session

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run blocking database work in a thread so the event loop keeps serving."""
        return await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(fn, *args, **kwargs)
        )

    def upgrade(self) -> None:
        upgrade(self)

    def is_current(self) -> bool:
        return set(current_revisions(self)) == set(head_revisions())

    def dispose(self) -> None:
        self.writer.dispose()
        if self.reader is not self.writer:
            self.reader.dispose()


def _alembic_config(db: Database) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    cfg.attributes["engine"] = db.writer
    return cfg


def upgrade(db: Database, revision: str = "heads") -> None:
    """Create or upgrade the schema. Safe to run on every start.

    "heads": parts of the project add their tables in migrations that branch from the same
    parent; all of them are applied (a merge revision joins them when convenient)."""
    from alembic import command

    command.upgrade(_alembic_config(db), revision)
    if revision == "heads":  # below head, migration 0002 may be still to come and create them
        ensure_audit_triggers(db)


# The append-only guard on audit_events (created by migration 0002). Someone with write access
# can drop it, and a migration that already ran never runs again, so every upgrade (each start,
# and ``db upgrade``) checks it and puts back what is missing.
SQLITE_AUDIT_TRIGGERS = {"audit_events_no_update": "UPDATE", "audit_events_no_delete": "DELETE"}
_PG_AUDIT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_events is append-only'; END; $$ LANGUAGE plpgsql"
)
_PG_AUDIT_TRIGGER = (
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
)


def missing_audit_triggers(conn: Connection) -> list[str]:
    """The append-only triggers audit_events lacks (or has disabled, on PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        present = {r[0] for r in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_events'"
        )}
        return sorted(set(SQLITE_AUDIT_TRIGGERS) - present)
    row = conn.exec_driver_sql(
        "SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_events_append_only' "
        "AND tgrelid = to_regclass('audit_events')"
    ).first()
    return [] if row is not None and row[0] in ("O", "A") else ["audit_events_append_only"]


def ensure_audit_triggers(db: Database) -> list[str]:
    """Recreate missing append-only triggers; returns the names put back."""
    with db.writer.begin() as conn:
        if not inspect(conn).has_table("audit_events"):
            return []
        missing = missing_audit_triggers(conn)
        for name in missing:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql(
                    f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {SQLITE_AUDIT_TRIGGERS[name]} "
                    "ON audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
                )
            else:
                conn.exec_driver_sql(_PG_AUDIT_FUNCTION)
                conn.exec_driver_sql(
                    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events"
                )
                conn.exec_driver_sql(_PG_AUDIT_TRIGGER)
    if missing:
        logging.getLogger(__name__).warning(
            "audit_events had lost its append-only trigger(s) %s; recreated", ", ".join(missing)
        )
    return missing


def head_revisions() -> tuple[str, ...]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return tuple(sorted(ScriptDirectory.from_config(cfg).get_heads()))


def current_revisions(db: Database) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    with db.writer.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return ()
        return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))


def current_revision(db: Database) -> str | None:
    """The schema revision(s) as one string, for messages."""
    revs = current_revisions(db)
    return "+".join(revs) if revs else None


@functools.cache
def _heads() -> tuple[str, ...]:
    return head_revisions()  # the migration scripts do not change while the process runs


def health_status(db: Database) -> dict[str, Any]:
    """Reachable, which backend, and whether the schema is at the migrations' head (``/healthz``);
    raises when the database cannot be reached."""
    with db.read() as s:
        s.exec(text("SELECT 1"))  # type: ignore[call-overload]
    revisions = current_revisions(db)
    heads = _heads()
    return {"ok": True, "backend": db.dialect, "revision": "+".join(revisions) or None,
            "head": "+".join(heads), "current": set(revisions) == set(heads)}
