"""The data model. Every schema change goes through an Alembic migration (monitor/migrations).

Evidence rules (DOMAIN.md) shape it: a capture is immutable and keeps the raw payload with its
SHA-256 taken at capture time; an edited post is a new capture version, never an overwrite; the
audit table is append-only and hash-chained.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    role: str = Field(max_length=16)  # admin | officer | moderator
    password_hash: str
    display_name: str = ""
    email: str | None = None
    disabled: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    totp_secret: str | None = None
    preferences: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Source(SQLModel, table=True):
    """A watched place: a hashtag, group, channel, account, feed or video, with its lawful basis."""

    __tablename__ = "sources"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=120)
    connector: str = Field(max_length=32)
    target: str
    base_url: str | None = None
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    cursor: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    enabled: bool = True
    schedule: str = "interval:15m"
    jitter_s: int = 60
    include_terms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    exclude_terms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    backfill_limit: int = 200
    # Lawful basis (RIPA 2000 / Covert Surveillance Code): without one, or past expiry, no sweep.
    basis_reference: str | None = None
    basis_scope: str | None = None
    basis_approved_by: str | None = None
    basis_approved_on: date | None = None
    basis_expires_on: date | None = None
    # Health, maintained by sweeps.
    needs_attention: str | None = None
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    consecutive_failures: int = 0
    deferred_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Payload(SQLModel, table=True):
    """A whole response body exactly as received, stored once however many posts it held."""

    __tablename__ = "payloads"

    sha256: str = Field(primary_key=True, max_length=64)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    url: str | None = None
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Capture(SQLModel, table=True):
    """One fetched version of one post. Never updated after insert."""

    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("platform", "post_id", "content_sha256", name="uq_capture_version"),
        Index("ix_captures_post", "platform", "post_id"),
        Index("ix_captures_author", "platform", "author_handle"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    post_id: str = Field(max_length=255)
    version: int = 1
    content_sha256: str = Field(max_length=64)
    url: str
    author_handle: str
    author_id: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    captured_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    language: str | None = None
    thread_id: str | None = Field(default=None, index=True)
    parent_id: str | None = None
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    raw_content_type: str = "application/json"
    raw_sha256: str = Field(max_length=64)
    payload_sha256: str | None = Field(default=None, foreign_key="payloads.sha256")
    tool_version: str
    origin: str = "import"  # import | sweep | report
    source_id: int | None = Field(default=None, foreign_key="sources.id", index=True)
    review_date: date | None = None


class Score(SQLModel, table=True):
    """A model's view of a capture. Shadow scores are stored but never rank the queue."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("capture_id", "model_version", name="uq_score_model"),)

    id: int | None = Field(default=None, primary_key=True)
    capture_id: int = Field(foreign_key="captures.id", index=True)
    model_version: str = Field(max_length=80)
    role: str = "live"  # live | shadow
    p_hate: float
    strands: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    severity: str = "none"
    language: str | None = None
    language_supported: bool = True
    explanation: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


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


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True, max_length=32)
    title: str = ""
    status: str = "open"
    created_by: int = Field(foreign_key="users.id")
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    strands: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cyber_enabled: bool = True
    perception: str | None = None
    crime_reference: str | None = None
    review_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseItem(SQLModel, table=True):
    __tablename__ = "case_items"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    queue_item_id: int = Field(foreign_key="queue_items.id", primary_key=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    added_by: int = Field(foreign_key="users.id")


class AuditEvent(SQLModel, table=True):
    """Append-only, hash-chained record of every collection, view, decision, export, deletion."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=120, index=True)
    action: str = Field(max_length=64, index=True)
    object_type: str | None = Field(default=None, max_length=32)
    object_id: str | None = Field(default=None, max_length=255)
    reason: str | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class ModelVersion(SQLModel, table=True):
    """A classifier version known to this installation: live ranks the queue, shadow only scores."""

    __tablename__ = "model_versions"

    version: str = Field(primary_key=True, max_length=80)
    path: str
    role: str = "shadow"  # live | shadow | retired
    card: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
