"""Tables for the scaled path: the scoring backlog (work claimed under leases) and per-worker
scoring statistics read by ``/metrics``.

``capture_id`` is a plain integer, not a foreign key: retention may purge a capture while it
waits, and the backlog must never block that (the worker drops rows whose capture is gone).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class ScoringBacklog(SQLModel, table=True):
    """A stored capture waiting for the live model. A worker leases a batch of rows (holder,
    leased_until), scores them outside any transaction, then deletes the rows it still holds in
    the transaction that writes the scores; a killed worker's lease simply runs out."""

    __tablename__ = "scoring_backlog"
    __table_args__ = (Index("ix_scoring_backlog_leased_until", "leased_until"),)

    capture_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    enqueued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    holder: str | None = Field(default=None, max_length=120)
    leased_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempts: int = 0


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
