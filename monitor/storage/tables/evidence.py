"""Evidence: raw payloads, captures of posts, the model's scores, and the scoring backlog.
Every schema change goes through an Alembic migration (monitor/migrations).

Evidence rules (DOMAIN.md) shape it: a capture is immutable and keeps the raw payload with its
SHA-256 taken at capture time; an edited post is a new capture version, never an overwrite.

``scoring_backlog.capture_id`` is a plain integer, not a foreign key: retention may purge a
capture while it waits, and the backlog must never block that (the worker drops rows whose
capture is gone).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


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
    # False: the platform's date could not be read; created_at is then the capture time (the
    # latest the post can have been written) and is shown as "date unknown". raw keeps the text.
    created_at_known: bool = True
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


class ScoringBacklog(SQLModel, table=True):
    """A stored capture waiting for the live model. A worker leases a batch of rows (holder,
    leased_until), scores them outside any transaction, then deletes the rows it still holds in
    the transaction that writes the scores; a killed worker's lease simply runs out."""

    __tablename__ = "scoring_backlog"
    __table_args__ = (
        Index("ix_scoring_backlog_leased_until", "leased_until"),
        Index("ix_scoring_backlog_claim", "lane", "capture_id"),
    )

    capture_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    enqueued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    holder: str | None = Field(default=None, max_length=120)
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0
    # Claimed lane by lane, each in capture order: 0 = live (recent posts a sweep just fetched),
    # 1 = bulk (history from a back-fill, re-scoring). ``monitor.ingest.backlog.lane_for``.
    lane: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
