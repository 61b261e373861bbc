"""statistics page: date-window indexes on queue_items and decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# monitor/stats.py counts a date window (the last 12 weeks by default) with grouped queries.
# Without these, each query read the whole of queue_items or decisions (1M items: 6-9 s per
# page on SQLite). Each index starts with the window's timestamp and carries the grouped
# columns, so the counts are a range scan of the index alone, never the table.
#
# The queue_items one is partial on "id > 0", which every row satisfies: only a query that says
# "id > 0" itself may use it (monitor/stats.py does). Without that, SQLite took it for the desk's
# own date filter (status = 'open' AND created_at range, ORDER BY priority LIMIT 51), read half
# the table and sorted it: /queue?since=...&until=... went from 30 ms to 1.4 s at 1M items.
# Migration 0006 explains why that query is better off on the priority index.
INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_queue_created_stats": (
        "queue_items", ["created_at", "status", "top_strand", "platform", "source_id"]),
    "ix_decisions_created": ("decisions", ["created_at", "undone_at"]),
}
PARTIAL = {"ix_queue_created_stats": "id > 0"}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        if name in PARTIAL:
            op.create_index(name, table, columns, unique=False,
                            sqlite_where=sa.text(PARTIAL[name]),
                            postgresql_where=sa.text(PARTIAL[name]))
        else:
            op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
