"""Process-wide logging: human-readable lines for a terminal, one JSON object per line for a
log shipper (journald, Loki, Elastic). The request id set by ``review_ui.request_id`` travels in
a context variable, so every record logged while a request is handled carries it."""

from __future__ import annotations

import contextvars
import json as jsonlib
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "hate_monitor_request_id", default=None
)

# Attributes every LogRecord has; anything else was passed in ``extra=`` and is kept.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request id,
    any ``extra=`` fields, and the traceback as text."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            body["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _STANDARD and key != "request_id" and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exception"] = self.formatException(record.exc_info)
        return jsonlib.dumps(body, default=str, ensure_ascii=False)


class RoutineTicks(logging.Filter):
    """apscheduler logs every job run at INFO ("Running job ...", "... executed successfully"):
    with minute-long jobs that buried everything else, the first-start password included.
    Those are routine ticks, so they are demoted to DEBUG (shown with --verbose)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


ROUTINE_LOGGERS = ("apscheduler.executors.default", "apscheduler.scheduler")


def configure_logging(json: bool, *, level: int | str = logging.INFO,
                      stream: TextIO | None = None) -> logging.Handler:
    """Replace the root logger's handlers with one that writes to ``stream`` (stderr)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    if json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # review_ui.request_id writes the access line; aiohttp's own one would duplicate it and
    # logs query strings (filters, ``next=`` addresses), which we keep out of the logs.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    for name in ROUTINE_LOGGERS:
        target = logging.getLogger(name)
        if not any(isinstance(f, RoutineTicks) for f in target.filters):
            target.addFilter(RoutineTicks())
    return handler
