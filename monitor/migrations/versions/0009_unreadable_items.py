"""sweeps lose nothing silently: the "could not read" list, dates marked unknown, loss counts

Revision ID: 0009
Revises: 0003 (the sweeps branch: it alters sweep_runs, which 0003 creates)
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import monitor.storage.types

revision = "0009"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = monitor.storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "unreadable_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("item_key", sa.String(length=255), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("raw_content_type", sa.String(), nullable=False),
        sa.Column("response_url", sa.String(), nullable=True),
        sa.Column("tool_version", sa.String(), nullable=False),
        sa.Column("first_seen_at", UTC(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTC(timezone=True), nullable=False),
        sa.Column("times_seen", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("resolved_at", UTC(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "raw_sha256", name="uq_unreadable_raw"),
    )
    op.create_index("ix_unreadable_open", "unreadable_items", ["source_id", "resolved_at"])
    # Every capture stored before this revision had a date its platform gave: known.
    with op.batch_alter_table("captures") as batch:
        batch.add_column(sa.Column("created_at_known", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    with op.batch_alter_table("sweep_runs") as batch:
        batch.add_column(sa.Column("unreadable", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.add_column(sa.Column("undated", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("unacknowledged_loss", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("unacknowledged_loss")
    with op.batch_alter_table("sweep_runs") as batch:
        batch.drop_column("undated")
        batch.drop_column("unreadable")
    with op.batch_alter_table("captures") as batch:
        batch.drop_column("created_at_known")
    op.drop_index("ix_unreadable_open", table_name="unreadable_items")
    op.drop_table("unreadable_items")
