"""Tables for running the service: the audit chain, classifier versions, sweep history,
per-source leases, alert deliveries and per-worker scoring statistics (read by ``/metrics``).

None of them holds post content. ``source_id`` / ``queue_item_id`` are deliberately plain
integers, not foreign keys: the history and the delivery log must outlive a removed source or a
purged queue item (they are the record that something happened), and must never block either.
The audit table is append-only and hash-chained.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


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
    # The audit key (HMAC) the hash was made with; None: plain SHA-256 (monitor/audit/chain.py).
    key_id: str | None = Field(default=None, max_length=16)


class ModelVersion(SQLModel, table=True):
    """A classifier version known to this installation: live ranks the queue, shadow only scores."""

    __tablename__ = "model_versions"

    version: str = Field(primary_key=True, max_length=80)
    path: str
    role: str = "shadow"  # live | shadow | retired
    card: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    promoted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


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
    skipped: int = 0  # items that could not be read: kept on the source's "could not read" list
    filtered: int = 0
    unreadable: int = 0  # responses that could not be read whole (cut short, a gap not filled)
    undated: int = 0  # posts stored with their date unknown
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


class WorkerStats(SQLModel, table=True):
    """Cumulative scoring counters of one worker process, so the web process can export them
    (Prometheus counters: rows are never decremented, only added)."""

    __tablename__ = "worker_stats"

    worker_id: str = Field(primary_key=True, max_length=120)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    scored_total: int = 0
    batches_total: int = 0
    failures_total: int = 0
    latency_sum: float = 0.0
    # Cumulative per-batch scoring latency counts for metrics.LATENCY_BUCKETS (plus +Inf).
    latency_buckets: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
