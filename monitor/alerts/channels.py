"""Delivering one alert: a signed webhook POST or an SMTP e-mail, each retried with bounded
exponential backoff. Errors are summarised without secrets (no URL credentials, no passwords).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import aiohttp
import aiosmtplib

from monitor.alerts.config import EmailConfig, WebhookConfig

SIGNATURE_HEADER = "X-Hate-Monitor-Signature"
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Delivered:
    ok: bool
    attempts: int
    error: str | None = None


def sign(secret: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, body): what the receiver recomputes."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _retryable_status(status: int) -> bool:
    return status == 429 or status >= 500


async def send_webhook(
    http: aiohttp.ClientSession,
    cfg: WebhookConfig,
    payload: dict[str, Any],
    *,
    sleep: Sleep = asyncio.sleep,
) -> Delivered:
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(cfg.secret, body),
        "X-Hate-Monitor-Event": str(payload.get("event", "alert")),
    }
    error = "not attempted"
    for attempt in range(1, cfg.max_attempts + 1):
        try:
            async with http.post(
                cfg.url,
                data=body,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=cfg.timeout_s),
                allow_redirects=False,
            ) as resp:
                if 200 <= resp.status < 300:
                    return Delivered(True, attempt)
                error = f"HTTP {resp.status}"
                if not _retryable_status(resp.status):
                    return Delivered(False, attempt, error)
        except (aiohttp.ClientError, TimeoutError) as err:
            error = type(err).__name__
        if attempt < cfg.max_attempts:
            await sleep(cfg.backoff_s * 2 ** (attempt - 1))
    return Delivered(False, cfg.max_attempts, error)


def email_message(cfg: EmailConfig, subject: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.recipients)
    msg["Subject"] = subject
    msg.set_content(text)
    return msg


async def smtp_send(cfg: EmailConfig, msg: EmailMessage) -> None:
    """The one SMTP delivery of one message (TLS or STARTTLS and login as configured); raises
    ``aiosmtplib.SMTPException``, ``OSError`` or ``TimeoutError`` on failure."""
    await aiosmtplib.send(
        msg,
        hostname=cfg.host,
        port=cfg.port,
        username=cfg.username or None,
        password=cfg.password or None,
        start_tls=cfg.starttls and not cfg.use_tls,
        use_tls=cfg.use_tls,
        timeout=cfg.timeout_s,
    )


def smtp_send_blocking(cfg: EmailConfig, msg: EmailMessage) -> None:
    """``smtp_send`` from a worker thread (no event loop running there)."""
    asyncio.run(smtp_send(cfg, msg))


async def send_email(
    cfg: EmailConfig, subject: str, text: str, *, sleep: Sleep = asyncio.sleep
) -> Delivered:
    msg = email_message(cfg, subject, text)
    error = "not attempted"
    for attempt in range(1, cfg.max_attempts + 1):
        try:
            await smtp_send(cfg, msg)
            return Delivered(True, attempt)
        except aiosmtplib.SMTPResponseException as err:
            error = f"SMTP {err.code}"
            if 500 <= err.code < 600:  # permanent: a retry gets the same answer
                return Delivered(False, attempt, error)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as err:
            error = type(err).__name__
        if attempt < cfg.max_attempts:
            await sleep(cfg.backoff_s * 2 ** (attempt - 1))
    return Delivered(False, cfg.max_attempts, error)
