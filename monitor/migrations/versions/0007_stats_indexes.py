"""statistics page: date-window indexes on queue_items and decisions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# monitor/stats.py counts a date window (the last 12 weeks by default) with grouped queries.
# Without these, each query read the whole of queue_items or decisions (1M items: 6-9 s per
# page on SQLite). Each index starts with the window's timestamp and carries the grouped
# columns, so the counts are a range scan of the index alone, never the table.
INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_queue_created_stats": (
        "queue_items", ["created_at", "status", "top_strand", "platform", "source_id"]),
    "ix_decisions_created": ("decisions", ["created_at", "undone_at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
