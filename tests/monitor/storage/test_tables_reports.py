"""Migration 0005 creates exactly what models_intake declares (SQLite and PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import monitor.storage.tables.reports  # noqa: F401  (registers the tables)
from monitor.storage.db import Database

TABLES = {"intake_reports", "intake_report_links", "intake_screenshots", "intake_invitations",
          "intake_api_tokens"}


def _tables_of(diff: object) -> set[str]:
    names: set[str] = set()
    stack = [diff]
    while stack:
        cur = stack.pop()
        if isinstance(cur, (list, tuple)):
            stack.extend(cur)
        elif hasattr(cur, "name") and hasattr(cur, "columns") and hasattr(cur, "schema"):
            names.add(cur.name)
        elif hasattr(cur, "table") and getattr(cur, "table", None) is not None:
            names.add(cur.table.name)
        elif isinstance(cur, str):
            names.add(cur)
    return names


def test_migration_matches_models(db: Database) -> None:
    with db.writer.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    mine = [d for d in diff if _tables_of(d) & TABLES]
    assert mine == []
