"""Tables for unattended operation: sweep history, per-source leases, alert deliveries.

None of them holds post content. ``source_id`` / ``queue_item_id`` are deliberately plain
integers, not foreign keys: the history and the delivery log must outlive a removed source or a
purged queue item (they are the record that something happened), and must never block either.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class SweepRun(SQLModel, table=True):
    """One scheduled or manual sweep of one source, or one refusal to sweep it."""

    __tablename__ = "sweep_runs"
    __table_args__ = (Index("ix_sweep_runs_source_started", "source_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int
    source_name: str = Field(max_length=120)
    trigger: str = Field(default="manual", max_length=16)  # schedule | manual | catch-up
    outcome: str = Field(max_length=16)  # ok | error | crashed | refused
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fetched: int = 0
    new: int = 0
    versions: int = 0
    duplicate: int = 0
    skipped: int = 0
    filtered: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    worker: str | None = Field(default=None, max_length=120)


class SourceLease(SQLModel, table=True):
    """Who is sweeping a source right now. Claimed with one conditional UPDATE (or INSERT), so
    two workers on one database never sweep a source at once; a killed worker's lease expires."""

    __tablename__ = "source_leases"

    source_id: int = Field(primary_key=True)
    holder: str = Field(max_length=120)
    acquired_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class AlertDelivery(SQLModel, table=True):
    """One urgent-item alert through one channel: claimed, then sent or failed (with attempts)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("queue_item_id", "channel", name="uq_alert_item_channel"),)

    id: int | None = Field(default=None, primary_key=True)
    queue_item_id: int = Field(index=True)
    channel: str = Field(max_length=16)  # webhook | email
    status: str = Field(max_length=16)  # sending | sent | failed
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
