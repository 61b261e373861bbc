"""The scheduler's and the retention job's settings as one typed view.

Every key is declared (type, default, check) in ``monitor.config.REGISTRY``; this reads them and
sets no default of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from monitor.config import ConfigError, Settings
from monitor.sources.schedule import ScheduleError, parse_schedule


@dataclass(frozen=True, slots=True)
class OpsSettings:
    enabled_in_serve: bool
    resync_s: int
    misfire_grace_s: int
    lease_ttl_s: int
    backoff_cap_s: int
    unhealthy_after: int
    retention_schedule: str
    alert_outbox_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> OpsSettings:
        """Declared keys only: defaults and checks are ``monitor.config.REGISTRY``'s."""
        ops = cls(
            enabled_in_serve=bool(settings["scheduler.enabled"]),
            resync_s=int(settings["scheduler.resync_s"]),
            misfire_grace_s=int(settings["scheduler.misfire_grace_s"]),
            lease_ttl_s=int(settings["scheduler.lease_ttl_s"]),
            backoff_cap_s=int(settings["scheduler.backoff_cap_s"]),
            unhealthy_after=int(settings["scheduler.unhealthy_after"]),
            retention_schedule=str(settings["retention.schedule"]),
            alert_outbox_s=_outbox_s(settings),
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


def _outbox_s(settings: Settings) -> int:
    # ``[alerts]`` is a table of its own (monitor.alerts.config); its default lives there.
    from monitor.alerts.config import DEFAULT_OUTBOX_S

    alerts = settings.extra.get("alerts") or {}
    value: Any = (alerts.get("outbox_s", DEFAULT_OUTBOX_S) if isinstance(alerts, dict)
                  else DEFAULT_OUTBOX_S)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"alerts.outbox_s must be a whole number greater than 0, got {value!r}")
    return value
