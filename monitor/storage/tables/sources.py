"""Watched sources, each with its lawful basis and its health."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


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
    # What sweeps could not read (items kept, pages cut short, dates unknown) since someone last
    # acknowledged it on the source page: shown as "needs attention" until then.
    unacknowledged_loss: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_success_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    consecutive_failures: int = 0
    deferred_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
