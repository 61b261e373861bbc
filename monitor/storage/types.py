"""Column types shared by every table."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python, on every backend.

    SQLite has no timezone type: values are stored as naive UTC and come back aware, so evidence
    times never silently change meaning between SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} would lose its timezone; use UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


def utcnow() -> datetime:
    return datetime.now(UTC)


# Ids are INTEGER columns: PostgreSQL's 32-bit range. A bigger number is no row, but it must be
# refused before it reaches the database (which raises on it) rather than looked up.
MAX_ID = 2**31 - 1
# Dates a person may ask about. Far enough either side for any real question, and clear of
# datetime's own ends, where "the day after" (an inclusive "until") overflows.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2199, 12, 31)


def parse_id(raw: str) -> int | None:
    """A row id written in ASCII digits within the column's range, else None."""
    raw = raw.strip()
    # isascii: "²".isdigit() is True and int("²") raises.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def parse_day(raw: str) -> date | None:
    """An ISO date between EARLIEST_DAY and LATEST_DAY, else None."""
    raw = raw.strip()
    if not raw.isascii() or len(raw) != 10:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None
    return day if EARLIEST_DAY <= day <= LATEST_DAY else None
