"""Items a sweep could not read: the source's "could not read" list.

A connector that cannot turn an item into a post (a required field missing, a value it does
not understand) hands it over instead of dropping it, and the sweep keeps it here *before* it
stores a cursor past it, so the item is never lost behind a high-water mark. ``raw`` is the
item exactly as the parser saw it, with its SHA-256 taken when it was kept; a later parser
reads it again (``hate-monitor sweep SOURCE --retry-skipped``), and the row then records what
it became. Rows are never deleted by a sweep: they are part of the record of what was collected.

``source_id`` is a plain integer, as in the sweep history: the list must outlive a removed
source and never block its removal.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class UnreadableItem(SQLModel, table=True):
    """One item of one source that could not be read, kept raw until it can be."""

    __tablename__ = "unreadable_items"
    __table_args__ = (
        UniqueConstraint("source_id", "raw_sha256", name="uq_unreadable_raw"),
        Index("ix_unreadable_open", "source_id", "resolved_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int
    platform: str = Field(max_length=32)
    item_key: str | None = Field(default=None, max_length=255)  # the platform's id, if read
    reason: str = Field(sa_column=Column(Text, nullable=False))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    raw_sha256: str = Field(max_length=64)
    raw_content_type: str = "application/json"
    response_url: str | None = None
    tool_version: str  # the version that could not read it
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    times_seen: int = 1
    attempts: int = 0  # re-reads tried after it was kept
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
