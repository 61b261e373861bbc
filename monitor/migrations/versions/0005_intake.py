"""moderator intake: reports, report links, screenshots, invitations, API tokens (issue 8)

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from monitor.storage.types import UTCDateTime

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def _utc(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "intake_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        _utc("created_at", nullable=False),
        _utc("last_used_at", nullable=True),
        _utc("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_intake_api_tokens_user_id", "intake_api_tokens", ["user_id"])

    op.create_table(
        "intake_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        _utc("created_at", nullable=False),
        _utc("expires_at", nullable=False),
        _utc("accepted_at", nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        _utc("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )

    op.create_table(
        "intake_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2048), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("text_as_seen", sa.Text(), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("capture_kind", sa.String(length=16), nullable=False),
        sa.Column("fetch_note", sa.String(), nullable=True),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("api_token_id", sa.Integer(), nullable=True),
        sa.Column("feedback_message", sa.String(), nullable=True),
        _utc("feedback_at", nullable=True),
        sa.Column("notified_status", sa.String(length=16), nullable=True),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["api_token_id"], ["intake_api_tokens.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_reports_reporter_id", "intake_reports", ["reporter_id"])
    op.create_index("ix_intake_reports_canonical_url", "intake_reports", ["canonical_url"])
    op.create_index("ix_intake_reports_created_at", "intake_reports", ["created_at"])

    op.create_table(
        "intake_report_links",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("queue_item_id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("boost", sa.Float(), nullable=False),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["intake_reports.id"]),
        sa.ForeignKeyConstraint(["queue_item_id"], ["queue_items.id"]),
        sa.ForeignKeyConstraint(["capture_id"], ["captures.id"]),
        sa.PrimaryKeyConstraint("report_id"),
    )
    op.create_index(
        "ix_intake_report_links_queue_item_id", "intake_report_links", ["queue_item_id"]
    )

    op.create_table(
        "intake_screenshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("original_sha256", sa.String(length=64), nullable=False),
        sa.Column("original_size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=True),
        _utc("created_at", nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["intake_reports.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_intake_screenshots_report_id", "intake_screenshots", ["report_id"])
    op.create_index("ix_intake_screenshots_sha256", "intake_screenshots", ["sha256"])


def downgrade() -> None:
    for table in (
        "intake_screenshots",
        "intake_report_links",
        "intake_reports",
        "intake_invitations",
        "intake_api_tokens",
    ):
        op.drop_table(table)
