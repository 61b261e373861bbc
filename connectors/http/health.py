"""Source health: log a source going down once, and its recovery once, not on every poll.

Logged as ``connectors.http``, the logger name operators already filter on."""

from __future__ import annotations

import logging
import time

log = logging.getLogger("connectors.http")


class HealthLog:
    """Logs a source going down once, and its recovery once, instead of on every poll."""

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self._log = logger or log
        self._down: dict[str, tuple[float, str]] = {}

    def failure(self, source: str, err: BaseException, *, now: float | None = None) -> bool:
        """Record a failed poll; returns True when this is the transition to down."""
        message = str(err) or type(err).__name__
        if source in self._down:
            self._log.debug("%s still failing: %s", source, message)
            return False
        self._down[source] = (time.time() if now is None else now, message)
        self._log.warning("source %s is failing: %s", source, message)
        return True

    def success(self, source: str, *, now: float | None = None) -> bool:
        """Record a good poll; returns True when this is the recovery from down."""
        if source not in self._down:
            return False
        since, _ = self._down.pop(source)
        elapsed = (time.time() if now is None else now) - since
        self._log.info("source %s recovered after %.0fs", source, elapsed)
        return True

    def is_down(self, source: str) -> bool:
        return source in self._down

    def down(self) -> dict[str, str]:
        """Sources currently failing → the first error message."""
        return {name: msg for name, (_, msg) in self._down.items()}
