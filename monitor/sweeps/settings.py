"""Settings of the scheduler and retention job, with their defaults in one place.

They are read with ``values.get`` so this part works before the keys are declared in
``monitor.config.REGISTRY`` (the lead adds them there; see the issue-5 report), and a
config.toml that sets them then reaches us unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from monitor.config import ConfigError, Settings
from monitor.sources.schedule import ScheduleError, parse_schedule


@dataclass(frozen=True, slots=True)
class OpsSettings:
    enabled_in_serve: bool = True
    resync_s: int = 60
    misfire_grace_s: int = 600
    lease_ttl_s: int = 300
    backoff_cap_s: int = 6 * 3600
    unhealthy_after: int = 3
    retention_schedule: str = "cron:30 3 * * *"
    alert_outbox_s: int = 60

    @classmethod
    def from_settings(cls, settings: Settings) -> OpsSettings:
        v = settings.values
        d = cls()

        def num(key: str, default: int) -> int:
            value: Any = v.get(key, default)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"{key} must be a whole number greater than 0, got {value!r}")
            return value

        ops = cls(
            enabled_in_serve=bool(v.get("scheduler.enabled", d.enabled_in_serve)),
            resync_s=num("scheduler.resync_s", d.resync_s),
            misfire_grace_s=num("scheduler.misfire_grace_s", d.misfire_grace_s),
            lease_ttl_s=num("scheduler.lease_ttl_s", d.lease_ttl_s),
            backoff_cap_s=num("scheduler.backoff_cap_s", d.backoff_cap_s),
            unhealthy_after=num("scheduler.unhealthy_after", d.unhealthy_after),
            retention_schedule=str(v.get("retention.schedule", d.retention_schedule)),
            alert_outbox_s=_outbox_s(settings, d.alert_outbox_s),
        )
        try:
            parse_schedule(ops.retention_schedule)
        except ScheduleError as err:
            raise ConfigError(f"retention.schedule: {err}") from err
        return ops

    @property
    def lease_ttl(self) -> timedelta:
        return timedelta(seconds=self.lease_ttl_s)

    @property
    def backoff_cap(self) -> timedelta:
        return timedelta(seconds=self.backoff_cap_s)


def _outbox_s(settings: Settings, default: int) -> int:
    alerts = settings.extra.get("alerts") or {}
    value: Any = alerts.get("outbox_s", default) if isinstance(alerts, dict) else default
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"alerts.outbox_s must be a whole number greater than 0, got {value!r}")
    return value
