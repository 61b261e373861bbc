"""Per-source leases: at most one sweep of a source at a time, across every worker process.

A lease row is claimed with one atomic statement (an INSERT for a source never leased, else a
conditional UPDATE that only succeeds when the lease is free or expired), so it works the same
on SQLite and PostgreSQL. The holder renews it while the sweep runs; a worker killed with -9
stops renewing and its lease expires after ``ttl``. A process-local lock would not do: two
``hate-monitor worker`` processes on one PostgreSQL database must also exclude each other.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from monitor.storage.db import Database
from monitor.storage.tables.ops import SourceLease
from monitor.storage.types import utcnow


def worker_id() -> str:
    """Identifies this process in leases and history: host, pid and a random suffix."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def try_acquire(
    db: Database, source_id: int, holder: str, ttl: timedelta, now: datetime | None = None
) -> bool:
    """Claim the source for ``holder``; False while any live lease exists (ours included)."""
    now = now or utcnow()
    with db.write() as session:
        claimed = session.execute(
            update(SourceLease)
            .where(
                col(SourceLease.source_id) == source_id,
                # Not "or held by us": one process may run two jobs for a source (scheduled
                # and "run now"); they must exclude each other too.
                col(SourceLease.expires_at) <= now,
            )
            .values(holder=holder, acquired_at=now, expires_at=now + ttl)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return True
    try:
        with db.write() as session:
            if session.get(SourceLease, source_id) is not None:
                return False  # someone holds a live lease
            session.add(
                SourceLease(
                    source_id=source_id, holder=holder, acquired_at=now, expires_at=now + ttl
                )
            )
    except IntegrityError:
        return False  # another worker inserted the first lease between our two statements
    return True


def renew(db: Database, source_id: int, holder: str, ttl: timedelta) -> bool:
    """Extend our lease; False when it was lost (expired and taken by someone else)."""
    now = utcnow()
    with db.write() as session:
        done = session.execute(
            update(SourceLease)
            .where(col(SourceLease.source_id) == source_id, col(SourceLease.holder) == holder)
            .values(expires_at=now + ttl)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def release(db: Database, source_id: int, holder: str) -> None:
    with db.write() as session:
        session.execute(
            delete(SourceLease).where(
                col(SourceLease.source_id) == source_id, col(SourceLease.holder) == holder
            )
        )


def holder_of(db: Database, source_id: int, now: datetime | None = None) -> str | None:
    """The live holder of the source's lease, if any (for the sources page: "running now")."""
    now = now or utcnow()
    with db.read() as session:
        lease = session.get(SourceLease, source_id)
    if lease is None or lease.expires_at <= now:
        return None
    return lease.holder
