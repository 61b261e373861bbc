"""Urgent alerts: when an open queue item is a threat with p(hate) at or above
``alerts.min_p_hate``, tell someone at once, through every configured channel.

Disclosure is minimised by default: an alert carries a link to the item, its strand, severity
and score, never the post's text or author (``alerts.include_text`` opts in to the text).
Each (item, channel) is claimed in ``alert_deliveries`` before sending, so two workers never
send the same alert and a crash leaves a row the outbox retries; every delivery, sent or
failed, is audited.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from monitor.alerts.channels import Delivered, Sleep, send_email, send_webhook
from monitor.alerts.config import AlertConfig
from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.ops import AlertDelivery
from monitor.storage.tables.review import QueueItem
from monitor.storage.types import utcnow

log = logging.getLogger(__name__)

RETRY_GAP = timedelta(minutes=5)  # before the outbox retries a failed delivery
STALE_CLAIM = timedelta(minutes=15)  # a "sending" row this old was left by a crashed worker


@dataclass(frozen=True, slots=True)
class Alert:
    item_id: int
    link: str
    severity: str
    strand: str | None
    p_hate: float
    platform: str
    queued_at: datetime
    text: str | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "event": "urgent_item",
            "item_id": self.item_id,
            "link": self.link,
            "severity": self.severity,
            "strand": self.strand,
            "p_hate": round(self.p_hate, 3),
            "platform": self.platform,
            "queued_at": self.queued_at.isoformat(),
            "sent_at": utcnow().isoformat(),
        }
        if self.text is not None:
            body["text"] = self.text
        return body

    def subject(self) -> str:
        return f"[hate-monitor] Urgent item #{self.item_id}: {self.severity} ({self.strand or '-'})"

    def email_text(self) -> str:
        lines = [
            "An item in the review queue is in the urgent band (threat).",
            "",
            f"Open it: {self.link}",
            f"Strand: {self.strand or 'not determined'}",
            f"Severity: {self.severity}",
            f"Model score p(hate): {self.p_hate:.2f} (the model ranks; a person decides)",
            f"Platform: {self.platform}",
            f"Queued: {self.queued_at:%Y-%m-%d %H:%M} UTC",
        ]
        if self.text is not None:
            lines += ["", "Text:", self.text]
        return "\n".join(lines) + "\n"


def is_urgent(item: QueueItem, cfg: AlertConfig) -> bool:
    return item.severity == "threat" and item.p_hate >= cfg.min_p_hate


def _candidates(
    db: Database, cfg: AlertConfig, base_url: str, item_ids: Sequence[int] | None, now: datetime
) -> list[Alert]:
    with db.read() as session:
        query = select(QueueItem).where(
            QueueItem.severity == "threat",
            col(QueueItem.p_hate) >= cfg.min_p_hate,
            QueueItem.status == "open",
            col(QueueItem.created_at) >= now - timedelta(hours=cfg.max_age_hours),
        )
        if item_ids is not None:
            query = query.where(col(QueueItem.id).in_(list(item_ids)))
        items = list(session.exec(query).all())
        texts: dict[int, str] = {}
        if cfg.include_text and items:
            caps = session.exec(
                select(Capture.id, Capture.text).where(
                    col(Capture.id).in_([i.capture_id for i in items])
                )
            ).all()
            texts = {int(cid or 0): text for cid, text in caps}
    return [
        Alert(
            item_id=i.id or 0,
            link=f"{base_url.rstrip('/')}/items/{i.id}",
            severity=i.severity,
            strand=i.top_strand,
            p_hate=i.p_hate,
            platform=i.platform,
            queued_at=i.created_at,
            text=texts.get(i.capture_id) if cfg.include_text else None,
        )
        for i in items
    ]


def _claim(db: Database, item_id: int, channel: str, max_attempts: int) -> bool:
    """Take the (item, channel) delivery for this worker; False when sent, taken or exhausted."""
    now = utcnow()
    try:
        with db.write() as session:
            row = session.exec(
                select(AlertDelivery).where(
                    AlertDelivery.queue_item_id == item_id, AlertDelivery.channel == channel
                )
            ).first()
            if row is None:
                session.add(AlertDelivery(queue_item_id=item_id, channel=channel, status="sending"))
                return True
            retry = (
                row.status == "failed"
                and row.updated_at <= now - RETRY_GAP
                and row.attempts < max_attempts
            )
            stale = row.status == "sending" and row.updated_at <= now - STALE_CLAIM
            if not (retry or stale):
                return False
            # Conditional on the state we read, so two workers cannot both take it.
            done = session.execute(
                update(AlertDelivery)
                .where(
                    col(AlertDelivery.id) == row.id,
                    col(AlertDelivery.status) == row.status,
                    col(AlertDelivery.updated_at) == row.updated_at,
                )
                .values(status="sending", updated_at=now)
            )
            return bool(done.rowcount == 1)  # type: ignore[attr-defined]
    except IntegrityError:
        return False


def _finish(db: Database, alert: Alert, channel: str, outcome: Delivered) -> None:
    now = utcnow()
    with db.write() as session:
        row = session.exec(
            select(AlertDelivery).where(
                AlertDelivery.queue_item_id == alert.item_id, AlertDelivery.channel == channel
            )
        ).one()
        row.status = "sent" if outcome.ok else "failed"
        row.attempts += outcome.attempts
        row.last_error = outcome.error
        row.updated_at = now
        session.add(row)
        audit.record(
            session,
            actor="system:alerts",
            action="alert.sent" if outcome.ok else "alert.failed",
            object_type="queue_item",
            object_id=alert.item_id,
            reason=f"urgent band: severity {alert.severity}, p_hate {alert.p_hate:.3f}",
            details={
                "channel": channel,
                "attempts": outcome.attempts,
                "error": outcome.error,
                "text_included": alert.text is not None,
            },
        )


def _budget(cfg: AlertConfig, channel: str) -> int:
    """Attempts allowed in all: ``outbox_rounds`` rounds of the channel's own retries."""
    per_round = (
        cfg.webhook.max_attempts
        if channel == "webhook" and cfg.webhook
        else (cfg.email.max_attempts if cfg.email else 1)
    )
    return cfg.outbox_rounds * per_round


async def dispatch(
    db: Database,
    http: aiohttp.ClientSession,
    cfg: AlertConfig,
    *,
    base_url: str,
    item_ids: Sequence[int] | None = None,
    sleep: Sleep | None = None,
) -> list[tuple[int, str, Delivered]]:
    """Send every due alert (for ``item_ids``, or all recent urgent items: the outbox)."""
    if not cfg.channels or item_ids == []:
        return []
    alerts = await db.run(_candidates, db, cfg, base_url, item_ids, utcnow())
    done: list[tuple[int, str, Delivered]] = []
    for alert in alerts:
        for channel in cfg.channels:
            if not await db.run(_claim, db, alert.item_id, channel, _budget(cfg, channel)):
                continue
            kwargs: dict[str, Any] = {} if sleep is None else {"sleep": sleep}
            try:
                if channel == "webhook" and cfg.webhook is not None:
                    outcome = await send_webhook(http, cfg.webhook, alert.payload(), **kwargs)
                elif cfg.email is not None:
                    outcome = await send_email(
                        cfg.email, alert.subject(), alert.email_text(), **kwargs
                    )
                else:  # pragma: no cover - channels only lists configured ones
                    continue
            except Exception as err:  # a bug in a channel must not stop the other alerts
                log.exception("alert %s via %s crashed", alert.item_id, channel)
                outcome = Delivered(False, 1, type(err).__name__)
            await db.run(_finish, db, alert, channel, outcome)
            if outcome.ok:
                log.info("urgent alert for item %s sent via %s", alert.item_id, channel)
            else:
                log.warning(
                    "urgent alert for item %s via %s failed after %d attempt(s): %s",
                    alert.item_id,
                    channel,
                    outcome.attempts,
                    outcome.error,
                )
            done.append((alert.item_id, channel, outcome))
    return done
