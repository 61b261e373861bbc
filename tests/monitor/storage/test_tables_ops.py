"""Migration 0003 creates exactly what monitor.storage.tables.ops declares for sweeps, leases and
alert deliveries (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import monitor.storage.tables.ops  # noqa: F401  (registers the tables)
from monitor.storage.db import Database

TABLES = {"sweep_runs", "source_leases", "alert_deliveries"}


def _names(diff: Any) -> set[str]:
    """Table names mentioned anywhere in one autogenerate diff entry."""
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
