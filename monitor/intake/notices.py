"""Tell moderators by e-mail when one of their reports changes status.

Runs with the alert outbox when e-mail is configured (``[alerts.email]``). The message never
carries the post's text or anyone else's data (``monitor.intake.status.status_email``); a report is
marked notified only once its e-mail was accepted, so a failed delivery is retried next round.
"""

from __future__ import annotations

import logging

import aiosmtplib

from monitor.alerts.channels import smtp_send_blocking
from monitor.alerts.config import EmailConfig
from monitor.audit import chain as audit
from monitor.intake.status import notify_changes
from monitor.storage.db import Database

log = logging.getLogger(__name__)


def send_moderator_notices(db: Database, cfg: EmailConfig, *, base_url: str) -> int:
    """One round: e-mail every moderator whose report moved on; returns how many were sent."""
    try:
        with db.write() as session:
            sent = notify_changes(
                session,
                send=lambda msg: smtp_send_blocking(cfg, msg),
                base_url=base_url,
                sender_address=cfg.sender,
            )
            if sent:
                audit.record(
                    session,
                    actor="system:notices",
                    action="moderator.notify",
                    reason="report status changed",
                    details={"emails": sent},
                )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
        # Nothing is marked notified (the transaction rolled back): next round tries again.
        log.warning("moderator notices not sent this round: %s", type(err).__name__)
        return 0
    return sent
