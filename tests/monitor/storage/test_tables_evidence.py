"""Migration 0006 creates the scoring backlog and worker statistics tables (monitor.storage.tables),
plus the desk indexes."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import monitor.storage.tables  # noqa: F401  (registers the tables)
from monitor.storage.db import Database

TABLES = {"scoring_backlog", "worker_stats"}


def _names(diff: Any) -> set[str]:
    names: set[str] = set()
    stack = [diff]
    while stack:
        cur = stack.pop()
        if isinstance(cur, list | tuple):
            stack.extend(cur)
        elif isinstance(cur, str):
            names.add(cur)
        elif getattr(cur, "table", None) is not None:
            names.add(cur.table.name)
        elif hasattr(cur, "columns") and hasattr(cur, "name"):
            names.add(cur.name)
    return names


def test_migration_matches_models(db: Database) -> None:
    with db.writer.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert [d for d in diff if _names(d) & TABLES] == []


def test_desk_indexes_exist(db: Database) -> None:
    with db.writer.connect() as conn:
        names = {ix["name"] for ix in inspect(conn).get_indexes("queue_items")}
    assert {"ix_queue_priority_id", "ix_queue_status_severity", "ix_queue_status_strand",
            "ix_queue_status_platform", "ix_queue_status_source", "ix_queue_capture",
            "ix_queue_platform_author"} <= names
