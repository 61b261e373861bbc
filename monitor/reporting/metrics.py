"""``/metrics`` in the Prometheus text exposition format (version 0.0.4).

Every figure comes from a cheap query, because a scraper calls this every 15–60 s whatever the
size of the database:
- ingested / scored totals are the highest ``captures.id`` / ``scores.id`` (a primary-key index
  lookup, not ``COUNT(*)`` over a million rows). Ids only grow, so they behave as Prometheus
  counters; on PostgreSQL a rolled-back insert leaves a gap, so they are upper bounds, which the
  ``_approx`` in their names says.
- queue depth counts open items per priority band over the ``(status, priority)`` index;
- sweep health reads the small ``sources`` table and ``sweep_runs`` grouped by outcome;
- scoring latency and counts are summed from ``worker_stats`` (one row per worker process);
- alert deliveries are grouped by channel and status (one row per alert sent).
The rendered text is cached for ``CACHE_SECONDS`` so several scrapers cost one set of queries.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select, text
from sqlmodel import Session, col

from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture, Score, ScoringBacklog
from monitor.storage.tables.ops import WorkerStats
from monitor.storage.tables.review import QueueItem
from monitor.storage.tables.sources import Source

LATENCY_BUCKETS: tuple[float, ...] = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
# Priority bands of the open queue, as lower bounds (see monitor/review/priority.py: a threat gets
# +1.0, so >= 1.0 is "urgent").
PRIORITY_BANDS: tuple[tuple[str, float, float], ...] = (
    ("urgent", 1.0, math.inf),
    ("high", 0.6, 1.0),
    ("medium", 0.3, 0.6),
    ("low", -math.inf, 0.3),
)
CACHE_SECONDS = 10.0
# Mirrors monitor.ingest.backlog.MAX_ATTEMPTS (imported there from here would be circular).
MAX_ATTEMPTS = 5
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def bucket_counts(values: Iterable[float]) -> list[int]:
    """Cumulative counts per ``LATENCY_BUCKETS`` upper bound, then +Inf."""
    vals = list(values)
    out = [sum(1 for v in vals if v <= bound) for bound in LATENCY_BUCKETS]
    out.append(len(vals))
    return out


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt(value: float) -> str:
    if value == math.inf:
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


@dataclass
class Exposition:
    """Builds the text: one HELP/TYPE header per family, then its samples."""

    lines: list[str] = field(default_factory=list)

    def family(self, name: str, kind: str, help_text: str) -> None:
        self.lines.append(f"# HELP {name} {help_text}")
        self.lines.append(f"# TYPE {name} {kind}")

    def sample(self, name: str, value: float, labels: dict[str, str] | None = None) -> None:
        if labels:
            inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            self.lines.append(f"{name}{{{inner}}} {_fmt(value)}")
        else:
            self.lines.append(f"{name} {_fmt(value)}")

    def render(self) -> str:
        return "\n".join(self.lines) + "\n"


def _has_table(session: Session, name: str) -> bool:
    return bool(inspect(session.connection()).has_table(name))


def _totals(session: Session, out: Exposition) -> None:
    out.family("hate_monitor_captures_ingested_total_approx", "counter",
               "Captures stored since the database was created (highest capture id).")
    out.sample("hate_monitor_captures_ingested_total_approx",
               session.scalar(select(func.max(Capture.id))) or 0)
    out.family("hate_monitor_scores_total_approx", "counter",
               "Scores written by any model since the database was created (highest score id).")
    out.sample("hate_monitor_scores_total_approx", session.scalar(select(func.max(Score.id))) or 0)
    out.family("hate_monitor_scoring_backlog", "gauge", "Captures waiting to be scored.")
    out.sample("hate_monitor_scoring_backlog",
               session.scalar(select(func.count()).select_from(ScoringBacklog)) or 0)
    out.family("hate_monitor_scoring_given_up", "gauge",
               "Captures the model failed on too often; no worker retries them (a person must).")
    out.sample("hate_monitor_scoring_given_up", session.scalar(
        select(func.count()).select_from(ScoringBacklog)
        .where(col(ScoringBacklog.attempts) >= MAX_ATTEMPTS)) or 0)


def _queue(session: Session, out: Exposition) -> None:
    out.family("hate_monitor_queue_open", "gauge", "Open queue items by priority band.")
    for band, low, high in PRIORITY_BANDS:
        stmt = select(func.count()).select_from(QueueItem).where(col(QueueItem.status) == "open")
        if low != -math.inf:
            stmt = stmt.where(col(QueueItem.priority) >= low)
        if high != math.inf:
            stmt = stmt.where(col(QueueItem.priority) < high)
        out.sample("hate_monitor_queue_open", session.scalar(stmt) or 0, {"band": band})


def _sources(session: Session, out: Exposition) -> None:
    rows = session.execute(
        select(col(Source.name), col(Source.enabled), col(Source.consecutive_failures),
               col(Source.last_success_at), col(Source.needs_attention))
    ).all()
    out.family("hate_monitor_source_consecutive_failures", "gauge",
               "Sweeps of the source that failed in a row (0 when the last one succeeded).")
    for name, _enabled, failures, _ok, _attn in rows:
        out.sample("hate_monitor_source_consecutive_failures", failures, {"source": name})
    out.family("hate_monitor_source_last_success_timestamp_seconds", "gauge",
               "Unix time of the source's last successful sweep (absent if none yet).")
    for name, _enabled, _failures, last_ok, _attn in rows:
        if last_ok is not None:
            out.sample("hate_monitor_source_last_success_timestamp_seconds",
                       round(last_ok.timestamp(), 3), {"source": name})
    out.family("hate_monitor_source_needs_attention", "gauge",
               "1 when the source needs a person (expired basis, auth failure...).")
    for name, _enabled, _failures, _ok, attn in rows:
        out.sample("hate_monitor_source_needs_attention", 1 if attn else 0, {"source": name})
    if _has_table(session, "sweep_runs"):
        # sweep_runs has one row per sweep; grouped per source it stays small enough per
        # scrape (a source swept every 15 min adds ~35k rows a year), and retention prunes it.
        runs = session.execute(text(
            "SELECT source_name, outcome, COUNT(*) FROM sweep_runs GROUP BY source_name, outcome"
        )).all()
        out.family("hate_monitor_sweeps_total", "counter", "Sweeps by source and outcome.")
        for name, outcome, n in runs:
            out.sample("hate_monitor_sweeps_total", n, {"source": str(name),
                                                        "outcome": str(outcome)})


def _scoring(session: Session, out: Exposition) -> None:
    rows = session.scalars(select(WorkerStats)).all()
    buckets = [0] * (len(LATENCY_BUCKETS) + 1)
    total_sum = 0.0
    scored = failures = 0
    for row in rows:
        for i, n in enumerate(row.latency_buckets[: len(buckets)]):
            buckets[i] += int(n)
        total_sum += row.latency_sum
        scored += row.scored_total
        failures += row.failures_total
    out.family("hate_monitor_scored_by_workers_total", "counter",
               "Captures scored by background scoring workers.")
    out.sample("hate_monitor_scored_by_workers_total", scored)
    out.family("hate_monitor_scoring_failures_total", "counter",
               "Scoring batches that failed (retried after their lease).")
    out.sample("hate_monitor_scoring_failures_total", failures)
    out.family("hate_monitor_scoring_batch_seconds", "histogram",
               "Inference time per scoring batch in background workers.")
    for bound, n in zip((*LATENCY_BUCKETS, math.inf), buckets, strict=True):
        out.sample("hate_monitor_scoring_batch_seconds_bucket", n, {"le": _fmt(bound)})
    out.sample("hate_monitor_scoring_batch_seconds_sum", round(total_sum, 6))
    out.sample("hate_monitor_scoring_batch_seconds_count", buckets[-1])


def _alerts(session: Session, out: Exposition) -> None:
    if not _has_table(session, "alert_deliveries"):
        return
    rows = session.execute(text(
        "SELECT channel, status, COUNT(*) FROM alert_deliveries GROUP BY channel, status"
    )).all()
    out.family("hate_monitor_alert_deliveries", "gauge", "Alert deliveries by channel and status.")
    for channel, status, n in rows:
        out.sample("hate_monitor_alert_deliveries", n, {"channel": str(channel),
                                                        "status": str(status)})


def collect(db: Database) -> str:
    """Every metric family, rendered. Blocking: call through ``db.run``."""
    out = Exposition()
    with db.read() as session:
        for part in (_totals, _queue, _sources, _scoring, _alerts):
            part(session, out)
    out.family("hate_monitor_metrics_generated_timestamp_seconds", "gauge",
               "When these figures were read from the database.")
    out.sample("hate_monitor_metrics_generated_timestamp_seconds", round(time.time(), 3))
    return out.render()


@dataclass
class MetricsCache:
    """The last rendering and when it was made (one per web process)."""

    text: str = ""
    at: float = -math.inf

    def get(self, db: Database, *, now: float, ttl: float = CACHE_SECONDS) -> str:
        if now - self.at >= ttl or not self.text:
            self.text = collect(db)
            self.at = now
        return self.text


def parse_samples(text_: str) -> dict[str, float]:
    """``name{labels}`` → value, for tests and the benchmark's sanity checks."""
    out: dict[str, float] = {}
    for line in text_.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out


__all__: Sequence[str] = ("LATENCY_BUCKETS", "MetricsCache", "bucket_counts", "collect",
                          "parse_samples")
