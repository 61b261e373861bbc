"""audit_events.key_id: which audit key (HMAC) an event's hash was made with; NULL = unkeyed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Events written before this revision keep NULL and verify as plain SHA-256 as before; events
# written with HATE_MONITOR_AUDIT_KEY set carry the key's id and verify only with that key.
# ADD COLUMN updates no row, so the append-only triggers are not involved.


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("key_id")
