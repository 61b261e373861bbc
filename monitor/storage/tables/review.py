"""The review queue and the decisions people make on it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class QueueItem(SQLModel, table=True):
    """One post awaiting (or having had) a person's decision; points at its latest capture."""

    __tablename__ = "queue_items"
    __table_args__ = (
        UniqueConstraint("platform", "post_id", name="uq_queue_post"),
        Index("ix_queue_open_priority", "status", "priority"),
        # Added by migration 0006 for the desk's filters and item page at a million items.
        Index("ix_queue_priority_id", "priority", "id"),
        Index("ix_queue_status_severity", "status", "severity", "priority", "id"),
        Index("ix_queue_status_strand", "status", "top_strand", "priority", "id"),
        Index("ix_queue_status_platform", "status", "platform", "priority", "id"),
        Index("ix_queue_status_source", "status", "source_id", "priority", "id"),
        Index("ix_queue_capture", "capture_id"),
        Index("ix_queue_platform_author", "platform", "author_handle"),
        # Added by migration 0007: the statistics page's date window, read from the index alone.
        # Partial on "id > 0" (every row) so only queries that say so use it; see the migration.
        Index("ix_queue_created_stats", "created_at", "status", "top_strand", "platform",
              "source_id", sqlite_where=text("id > 0"), postgresql_where=text("id > 0")),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    post_id: str = Field(max_length=255)
    capture_id: int = Field(foreign_key="captures.id")
    score_id: int | None = Field(default=None, foreign_key="scores.id")
    source_id: int | None = Field(default=None, foreign_key="sources.id")
    status: str = Field(default="open", max_length=16)  # open | decided | escalated
    priority: float = 0.0
    p_hate: float = 0.0
    severity: str = "none"
    top_strand: str | None = None
    language_supported: bool = True
    author_handle: str = ""
    text_sha256: str | None = Field(default=None, max_length=64, index=True)
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    review_date: date | None = None


class Decision(SQLModel, table=True):
    """A person's structured decision on a queue item; also a label for retraining."""

    __tablename__ = "decisions"
    # Added by migration 0007: the statistics page's date window.
    __table_args__ = (Index("ix_decisions_created", "created_at", "undone_at"),)

    id: int | None = Field(default=None, primary_key=True)
    queue_item_id: int = Field(foreign_key="queue_items.id", index=True)
    capture_id: int = Field(foreign_key="captures.id")
    user_id: int = Field(foreign_key="users.id")
    outcome: str = Field(max_length=24)  # not_hate | hate_intelligence | possible_crime
    strands: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    perceived_by: str | None = None  # victim | witness | officer | moderator
    offences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rationale: str = ""
    p_hate_at_decision: float | None = None
    model_version: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    undone_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
