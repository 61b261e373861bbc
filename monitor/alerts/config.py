"""The ``[alerts]`` table of config.toml, validated with messages that name the key.

Secrets (the webhook signing key, the SMTP password) are never written in the file: the file
names the environment variable that holds them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.config import ConfigError, Settings

DEFAULT_SECRET_ENV = "HATE_MONITOR_ALERT_WEBHOOK_SECRET"  # noqa: S105 (a variable name)
DEFAULT_PASSWORD_ENV = "HATE_MONITOR_SMTP_PASSWORD"  # noqa: S105 (a variable name)


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    url: str
    secret: str
    max_attempts: int = 5
    backoff_s: float = 2.0
    timeout_s: float = 10.0

    def __repr__(self) -> str:  # never show the secret
        return f"WebhookConfig(url={self.url!r}, max_attempts={self.max_attempts})"


@dataclass(frozen=True, slots=True)
class EmailConfig:
    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 587
    starttls: bool = True
    use_tls: bool = False
    username: str = ""
    password: str = ""
    max_attempts: int = 3
    backoff_s: float = 5.0
    timeout_s: float = 20.0

    def __repr__(self) -> str:
        return f"EmailConfig(host={self.host!r}, port={self.port}, to={self.recipients!r})"


@dataclass(frozen=True, slots=True)
class AlertConfig:
    enabled: bool = True
    # 0: every item the model labels "threat" is urgent, also one aimed at a person with no
    # protected group named (its p(hate) is low; the threat is still a possible crime).
    min_p_hate: float = 0.0
    include_text: bool = False
    max_age_hours: int = 24
    outbox_rounds: int = 3
    webhook: WebhookConfig | None = None
    email: EmailConfig | None = None

    @property
    def channels(self) -> tuple[str, ...]:
        if not self.enabled:
            return ()
        return tuple(
            name for name, cfg in (("webhook", self.webhook), ("email", self.email)) if cfg
        )


_TOP = {
    "enabled",
    "min_p_hate",
    "include_text",
    "max_age_hours",
    "outbox_rounds",
    "outbox_s",
    "webhook",
    "email",
}
_WEBHOOK = {"url", "secret_env", "max_attempts", "backoff_s", "timeout_s"}
_EMAIL = {
    "smtp_host",
    "smtp_port",
    "starttls",
    "use_tls",
    "username",
    "password_env",
    "from",
    "to",
    "max_attempts",
    "backoff_s",
    "timeout_s",
}


class _Reader:
    def __init__(self, table: Mapping[str, Any], prefix: str, known: set[str]) -> None:
        unknown = sorted(set(table) - known)
        if unknown:
            raise ConfigError(
                f"[{prefix}] unknown key {prefix}.{unknown[0]} (known: {', '.join(sorted(known))})"
            )
        self.table = table
        self.prefix = prefix

    def get(self, key: str, kind: type, default: Any) -> Any:
        value = self.table.get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise ConfigError(f"{self.prefix}.{key} must be {kind.__name__}, got {value!r}")
        return value

    def positive(self, key: str, kind: type, default: Any) -> Any:
        value = self.get(key, kind, default)
        if value <= 0:
            raise ConfigError(f"{self.prefix}.{key} must be greater than 0, got {value!r}")
        return value

    def table_of(self, key: str) -> Mapping[str, Any] | None:
        value = self.table.get(key)
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise ConfigError(f"{self.prefix}.{key} must be a table ([{self.prefix}.{key}])")
        return value


def _secret(env: Mapping[str, str], var: str, what: str, key: str) -> str:
    value = env.get(var, "")
    if not value:
        raise ConfigError(
            f"{key} is set but the environment variable {var} holding the {what} is empty"
        )
    return value


def load_alert_config(settings: Settings, env: Mapping[str, str] | None = None) -> AlertConfig:
    env = os.environ if env is None else env
    raw = settings.extra.get("alerts", {}) or {}
    if not isinstance(raw, Mapping):
        raise ConfigError("alerts must be a table ([alerts])")
    top = _Reader(raw, "alerts", _TOP)
    min_p = top.get("min_p_hate", float, 0.0)
    if not 0.0 <= min_p <= 1.0:
        raise ConfigError(f"alerts.min_p_hate must be between 0 and 1, got {min_p!r}")
    webhook = None
    if (wt := top.table_of("webhook")) is not None:
        w = _Reader(wt, "alerts.webhook", _WEBHOOK)
        url = w.get("url", str, "")
        if url:
            if not url.startswith(("https://", "http://")):
                raise ConfigError(f"alerts.webhook.url must be an http(s) URL, got {url!r}")
            var = w.get("secret_env", str, DEFAULT_SECRET_ENV)
            webhook = WebhookConfig(
                url=url,
                secret=_secret(env, var, "signing secret", "alerts.webhook.url"),
                max_attempts=min(10, w.positive("max_attempts", int, 5)),
                backoff_s=w.positive("backoff_s", float, 2.0),
                timeout_s=w.positive("timeout_s", float, 10.0),
            )
    email = None
    if (et := top.table_of("email")) is not None:
        e = _Reader(et, "alerts.email", _EMAIL)
        host = e.get("smtp_host", str, "")
        if host:
            to = e.get("to", list, [])
            if not to or not all(isinstance(a, str) and "@" in a for a in to):
                raise ConfigError(
                    f"alerts.email.to must be a non-empty list of e-mail addresses, got {to!r}"
                )
            username = e.get("username", str, "")
            password = ""
            if username:
                var = e.get("password_env", str, DEFAULT_PASSWORD_ENV)
                password = _secret(env, var, "SMTP password", "alerts.email.username")
            email = EmailConfig(
                host=host,
                sender=e.get("from", str, "hate-monitor@localhost"),
                recipients=tuple(to),
                port=e.positive("smtp_port", int, 587),
                starttls=e.get("starttls", bool, True),
                use_tls=e.get("use_tls", bool, False),
                username=username,
                password=password,
                max_attempts=min(10, e.positive("max_attempts", int, 3)),
                backoff_s=e.positive("backoff_s", float, 5.0),
                timeout_s=e.positive("timeout_s", float, 20.0),
            )
    return AlertConfig(
        enabled=top.get("enabled", bool, True),
        min_p_hate=min_p,
        include_text=top.get("include_text", bool, False),
        max_age_hours=top.positive("max_age_hours", int, 24),
        outbox_rounds=top.positive("outbox_rounds", int, 3),
        webhook=webhook,
        email=email,
    )
