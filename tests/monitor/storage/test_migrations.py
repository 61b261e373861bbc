"""The migrations create exactly what the tables declare (column types included), from an empty
database and from every earlier revision, and the desk's indexes exist."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import monitor.storage.tables  # noqa: F401  (all tables on the metadata)
from monitor.storage.db import MIGRATIONS_DIR, Database, head_revisions, upgrade


def _diff(db: Database) -> list[object]:
    with db.writer.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(ctx, SQLModel.metadata))


def test_schema_matches_models(db: Database) -> None:
    assert db.is_current()
    assert _diff(db) == []


def test_desk_indexes_exist(db: Database) -> None:
    with db.writer.connect() as conn:
        names = {ix["name"] for ix in inspect(conn).get_indexes("queue_items")}
    assert {"ix_queue_priority_id", "ix_queue_status_severity", "ix_queue_status_strand",
            "ix_queue_status_platform", "ix_queue_status_source", "ix_queue_capture",
            "ix_queue_platform_author"} <= names


def _revisions() -> list[str]:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(cfg)
    return [r.revision for r in script.walk_revisions()]


@pytest.mark.parametrize("start", _revisions())
def test_upgrade_from_every_revision(database_url: str, start: str) -> None:
    db = Database(database_url)
    try:
        upgrade(db, start)
        upgrade(db)
        assert db.is_current()
        assert set(head_revisions()) <= set(_revisions())
        assert _diff(db) == []
    finally:
        db.dispose()
