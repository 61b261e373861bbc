"""Tell moderators by e-mail when one of their reports changes status.

Runs with the alert outbox when e-mail is configured (``[alerts.email]``). The message never
carries the post's text or anyone else's data (``intake_status.status_email``); a report is
marked notified only once its e-mail was accepted, so a failed delivery is retried next round.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from monitor import audit
from monitor.alerts_config import EmailConfig
from monitor.intake_status import notify_changes
from monitor.storage.db import Database

log = logging.getLogger(__name__)


def smtp_send(cfg: EmailConfig, msg: EmailMessage) -> None:
    """Blocking SMTP delivery (called from a worker thread); raises on failure."""
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if cfg.use_tls:
        smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout_s, context=context)
    else:
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout_s)
    with smtp:
        if cfg.starttls and not cfg.use_tls:
            smtp.starttls(context=context)
        if cfg.username:
            smtp.login(cfg.username, cfg.password)
        smtp.send_message(msg)


def send_moderator_notices(db: Database, cfg: EmailConfig, *, base_url: str) -> int:
    """One round: e-mail every moderator whose report moved on; returns how many were sent."""
    try:
        with db.write() as session:
            sent = notify_changes(
                session,
                send=lambda msg: smtp_send(cfg, msg),
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
    except (smtplib.SMTPException, OSError) as err:
        # Nothing is marked notified (the transaction rolled back): next round tries again.
        log.warning("moderator notices not sent this round: %s", type(err).__name__)
        return 0
    return sent
