"""Sweep history (one row per run or refusal) and the sources page's health summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from monitor.sources.basis import basis_problem, basis_warning, source_status
from monitor.storage.db import Database
from monitor.storage.tables.ops import SourceLease, SweepRun
from monitor.storage.tables.sources import Source
from monitor.storage.tables.unreadable import UnreadableItem
from monitor.storage.types import utcnow
from monitor.sweeps.timing import backoff_until, next_run

UNHEALTHY_AFTER = 3
DEFAULT_BACKOFF_CAP = timedelta(hours=6)


def record_run(
    session: Session,
    *,
    source: Source,
    outcome: str,
    started_at: datetime,
    finished_at: datetime | None = None,
    counts: dict[str, int] | None = None,
    error: str | None = None,
    trigger: str = "manual",
    worker: str | None = None,
) -> SweepRun:
    """Add one history row inside the caller's transaction."""
    counts = counts or {}
    run = SweepRun(
        source_id=source.id or 0,
        source_name=source.name,
        trigger=trigger,
        outcome=outcome,
        started_at=started_at,
        finished_at=finished_at or utcnow(),
        error=(error or None) and str(error)[:2000],
        worker=worker,
        **{k: int(counts.get(k, 0)) for k in _COUNTS},
    )
    session.add(run)
    session.flush()
    return run


_COUNTS = ("fetched", "new", "versions", "duplicate", "skipped", "filtered", "unreadable",
           "undated")


def history(session: Session, source_id: int, *, limit: int = 20) -> list[SweepRun]:
    """The most recent runs of one source, newest first."""
    return list(
        session.exec(
            select(SweepRun)
            .where(SweepRun.source_id == source_id)
            .order_by(col(SweepRun.started_at).desc(), col(SweepRun.id).desc())
            .limit(limit)
        ).all()
    )


def last_run(session: Session, source_id: int) -> SweepRun | None:
    rows = history(session, source_id, limit=1)
    return rows[0] if rows else None


def last_sweep_starts(session: Session) -> dict[int, datetime]:
    """Per source, the start of its latest real sweep (refusals are not sweeps)."""
    rows = session.exec(
        select(SweepRun.source_id, func.max(SweepRun.started_at))
        .where(col(SweepRun.outcome) != "refused")
        .group_by(col(SweepRun.source_id))
    ).all()
    # MAX() over a UTCDateTime column comes back raw on SQLite; normalise through the column type.
    out: dict[int, datetime] = {}
    for sid, started in rows:
        if started is None:
            continue
        if isinstance(started, str):
            started = datetime.fromisoformat(started)
        out[int(sid)] = started if started.tzinfo else started.replace(tzinfo=UTC)
    return out


def health_status(
    source: Source,
    today: date,
    now: datetime,
    *,
    unhealthy_after: int = UNHEALTHY_AFTER,
    backoff_cap: timedelta = DEFAULT_BACKOFF_CAP,
) -> str:
    """One phrase for the sources page: ok, disabled, will not run, unhealthy, deferred..."""
    if not source.enabled or basis_problem(source, today) or source.needs_attention:
        return source_status(source, today)
    if source.unacknowledged_loss:
        # The newest line of what was lost, until someone acknowledges it on the source page.
        return f"needs attention: {source.unacknowledged_loss.splitlines()[0]}"
    if source.consecutive_failures >= unhealthy_after:
        until = backoff_until(source, backoff_cap)
        tail = f", backing off until {until:%Y-%m-%d %H:%M} UTC" if until and until > now else ""
        return f"unhealthy: {source.consecutive_failures} failures in a row{tail}"
    if source.deferred_until and source.deferred_until > now:
        return f"rate-limited until {source.deferred_until:%H:%M:%S} UTC"
    if source.consecutive_failures:
        return f"failing: {source.last_error or 'unknown error'}"
    return basis_warning(source, today) or "ok"


def source_health(
    db: Database,
    *,
    now: datetime | None = None,
    unhealthy_after: int = UNHEALTHY_AFTER,
    backoff_cap: timedelta = DEFAULT_BACKOFF_CAP,
) -> list[dict[str, Any]]:
    """Health at a glance for every source, by name: what the sources page shows."""
    now = now or utcnow()
    today = now.date()
    with db.read() as session:
        sources = list(session.exec(select(Source).order_by(col(Source.name))).all())
        starts = last_sweep_starts(session)
        leases = {
            lease.source_id: lease
            for lease in session.exec(select(SourceLease)).all()
            if lease.expires_at > now
        }
        latest = {s.id: last_run(session, s.id or 0) for s in sources}
        open_counts = dict(session.exec(
            select(UnreadableItem.source_id, func.count())
            .where(col(UnreadableItem.resolved_at).is_(None))
            .group_by(col(UnreadableItem.source_id))).all())
    out: list[dict[str, Any]] = []
    for s in sources:
        runnable = s.enabled and basis_problem(s, today) is None
        run = latest.get(s.id)
        out.append(
            {
                "id": s.id,
                "name": s.name,
                "connector": s.connector,
                "target": s.target,
                "enabled": s.enabled,
                "schedule": s.schedule,
                "status": health_status(
                    s, today, now, unhealthy_after=unhealthy_after, backoff_cap=backoff_cap
                ),
                "healthy": runnable
                and not s.needs_attention
                and not s.unacknowledged_loss
                and s.consecutive_failures < unhealthy_after,
                "open_unreadable": open_counts.get(s.id or 0, 0),
                "basis_warning": basis_warning(s, today),
                "last_success": s.last_success_at,
                "last_error": s.last_error,
                "last_error_at": s.last_error_at,
                "consecutive_failures": s.consecutive_failures,
                "last_run": None if run is None else run_dict(run),
                "running": s.id in leases,
                "next_run": next_run(s, starts.get(s.id or 0), now, backoff_cap)
                if runnable
                else None,
            }
        )
    return out


def run_dict(run: SweepRun) -> dict[str, Any]:
    return {
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "trigger": run.trigger,
        "outcome": run.outcome,
        **{k: getattr(run, k) for k in _COUNTS},
        "error": run.error,
    }


def overview(db: Database) -> list[dict[str, Any]]:
    """``source_health`` plus what the sources page also shows: the rate-limit deferral."""
    rows = source_health(db)
    with db.read() as s:
        deferred = {src.id: src.deferred_until for src in s.exec(select(Source)).all()}
    return [{**r, "deferred_until": deferred.get(r["id"])} for r in rows]
