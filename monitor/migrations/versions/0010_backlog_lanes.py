"""scoring_backlog.lane: today's posts are claimed before history and re-scoring

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

# Rows already waiting keep lane 0 (live), so they are claimed in capture order as before.


def upgrade() -> None:
    with op.batch_alter_table("scoring_backlog") as batch:
        batch.add_column(sa.Column("lane", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_scoring_backlog_claim", "scoring_backlog", ["lane", "capture_id"])


def downgrade() -> None:
    op.drop_index("ix_scoring_backlog_claim", table_name="scoring_backlog")
    with op.batch_alter_table("scoring_backlog") as batch:
        batch.drop_column("lane")
