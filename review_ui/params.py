"""Typed reading of query-string and form values, in one place.

Every view reads ids, dates and choices through these, so what counts as valid is decided once:
an id is ASCII digits within the database's INTEGER range, a date is ISO within a sane range, a
choice is one of its values. A bad value is a 400 that names the field, never a 500 from deep in
the database or from ``date + timedelta`` overflowing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from monitor.storage.types import EARLIEST_DAY, LATEST_DAY, MAX_ID, parse_day, parse_id
from review_ui.middlewares import DeskError

MAX_IDS = 500  # ids in one request (a bulk decision, a new case): more is not a person's work


def bad(field: str, problem: str) -> DeskError:
    return DeskError(400, f"{field}: {problem}")


def one_id(raw: str, field: str) -> int:
    value = parse_id(raw)
    if value is None:
        raise bad(field, f"{raw[:40]!r} is not an id (a whole number from 1 to {MAX_ID})")
    return value


def optional_id(values: Mapping[str, str], field: str) -> int | None:
    """An id from a query or form, None when absent or empty; 400 when it is not an id."""
    raw = str(values.get(field, "") or "")
    return one_id(raw, field) if raw.strip() else None


def id_list(raw_values: Iterable[object], field: str) -> list[int]:
    """Ids given as repeated fields and/or separated by commas or spaces; 400 on any bad one."""
    out: list[int] = []
    for value in raw_values:
        for part in str(value).replace(",", " ").split():
            out.append(one_id(part, field))
            if len(out) > MAX_IDS:
                raise bad(field, f"at most {MAX_IDS} ids at once")
    return out


def optional_day(values: Mapping[str, str], field: str) -> date | None:
    raw = str(values.get(field, "") or "").strip()
    if not raw:
        return None
    day = parse_day(raw)
    if day is None:
        raise bad(field, f"{raw[:40]!r} is not a date like 2026-11-28 between {EARLIEST_DAY} "
                         f"and {LATEST_DAY}")
    return day


def choice(values: Mapping[str, str], field: str, allowed: Sequence[str], default: str) -> str:
    raw = str(values.get(field, "") or "")
    if not raw:
        return default
    if raw not in allowed:
        raise bad(field, f"must be one of {', '.join(allowed)}")
    return raw
