"""scaled path: scoring backlog with leases, worker statistics, desk indexes

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.storage.types

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = monitor.storage.types.UTCDateTime


# Desk indexes on queue_items (bench/bench_pages.py, EXPLAIN at 1M items): every queue page is
# ordered by (priority desc, id desc) and pages by keyset on that pair, so each common filter
# gets an index that ends in (priority, id) and the page is read straight off it, stopping at
# 51 rows. Without them a filtered page walks ix_queue_open_priority and discards non-matching
# rows (a rare strand or a quiet source means most of the open queue), and "status=all" sorts
# the whole table. Date filters deliberately get no (status, created_at) index: SQLite then
# range-scans the dates and sorts them all (1 s at 100k), while the priority-ordered scan that
# discards rows outside the range reads ~50/selectivity rows (a one-day range: ~18k index rows).
QUEUE_INDEXES: dict[str, list[str]] = {
    "ix_queue_priority_id": ["priority", "id"],
    "ix_queue_status_severity": ["status", "severity", "priority", "id"],
    "ix_queue_status_strand": ["status", "top_strand", "priority", "id"],
    "ix_queue_status_platform": ["status", "platform", "priority", "id"],
    "ix_queue_status_source": ["status", "source_id", "priority", "id"],
    # The item page: the author's other posts join captures to their queue item by
    # capture_id, and the author's earlier decisions look items up by (platform, author); both
    # were full scans of queue_items (1.5 s and 0.4 s per item page part-way to 1M).
    "ix_queue_capture": ["capture_id"],
    "ix_queue_platform_author": ["platform", "author_handle"],
}


def upgrade() -> None:
    op.create_table(
        "scoring_backlog",
        sa.Column("capture_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("enqueued_at", UTC(timezone=True), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=True),
        sa.Column("leased_until", UTC(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("capture_id"),
    )
    op.create_index(
        "ix_scoring_backlog_leased_until", "scoring_backlog", ["leased_until"], unique=False
    )
    for name, columns in QUEUE_INDEXES.items():
        op.create_index(name, "queue_items", columns, unique=False)
    op.create_table(
        "worker_stats",
        sa.Column("worker_id", sa.String(length=120), nullable=False),
        sa.Column("started_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.Column("scored_total", sa.Integer(), nullable=False),
        sa.Column("batches_total", sa.Integer(), nullable=False),
        sa.Column("failures_total", sa.Integer(), nullable=False),
        sa.Column("latency_sum", sa.Float(), nullable=False),
        sa.Column("latency_buckets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id"),
    )


def downgrade() -> None:
    op.drop_table("worker_stats")
    for name in QUEUE_INDEXES:
        op.drop_index(name, table_name="queue_items")
    op.drop_index("ix_scoring_backlog_leased_until", table_name="scoring_backlog")
    op.drop_table("scoring_backlog")
