"""Engines, sessions and migrations for SQLite (default) and PostgreSQL (scaled path).

SQLite follows Datasette's shape: WAL so readers never wait for the writer, and every write
transaction starts with ``BEGIN IMMEDIATE`` so two writers queue on the lock instead of failing
half-way with "database is locked" when a read transaction tries to upgrade.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
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
