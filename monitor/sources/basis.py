"""The lawful-basis rule, and the one reading of a basis given from outside.

Repeated monitoring of a named group can be directed surveillance (RIPA 2000), so every source
carries its lawful basis: a reference, scope, approver, approval and expiry dates. A source
without one, or past expiry, is never swept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from monitor.storage.tables.sources import Source

EXPIRY_WARNING_DAYS = 14


class SourceError(ValueError):
    """A source request that cannot be carried out, phrased for the person asking."""


@dataclass(frozen=True, slots=True)
class Basis:
    reference: str
    scope: str
    approved_by: str
    approved_on: date
    expires_on: date

    def __post_init__(self) -> None:
        for name in ("reference", "scope", "approved_by"):
            if not getattr(self, name).strip():
                raise SourceError(f"lawful basis: {name.replace('_', ' ')} must not be empty")
        if self.expires_on <= self.approved_on:
            raise SourceError(
                f"lawful basis: expiry {self.expires_on} must be after approval {self.approved_on}"
            )


def basis_problem(source: Source, today: date) -> str | None:
    """Why this source may not be swept today, or None."""
    if not (source.basis_reference and source.basis_approved_by and source.basis_expires_on):
        return "no lawful basis recorded (reference, approver and expiry are required)"
    if source.basis_expires_on < today:
        return f"lawful basis {source.basis_reference} expired on {source.basis_expires_on}"
    return None


def basis_warning(source: Source, today: date) -> str | None:
    if source.basis_expires_on and today <= source.basis_expires_on < today + timedelta(
        days=EXPIRY_WARNING_DAYS
    ):
        days = (source.basis_expires_on - today).days
        return f"lawful basis {source.basis_reference} expires in {days} day(s)"
    return None


def source_status(source: Source, today: date) -> str:
    if not source.enabled:
        return "disabled"
    problem = basis_problem(source, today)
    if problem:
        return f"will not run: {problem}"
    if source.needs_attention:
        return f"needs attention: {source.needs_attention}"
    return basis_warning(source, today) or "ok"


FIELDS = ("reference", "scope", "approved_by", "approved_on", "expires_on")


class BasisError(SourceError):
    """A lawful basis that cannot be read: ``problems`` maps each field at fault (one of
    ``FIELDS``) to what is wrong with it; ``missing`` lists the fields left empty."""

    def __init__(self, problems: dict[str, str], missing: tuple[str, ...] = ()) -> None:
        super().__init__("lawful basis: " + "; ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in problems.items()))
        self.problems = problems
        self.missing = missing


def _day(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_basis(values: Mapping[str, object]) -> Basis | None:
    """The one reading of a lawful basis given from outside (CLI options, the desk's form,
    ``config.toml``): all five ``FIELDS`` or none (then None: the source will not run). Texts
    are stripped; dates are ``date`` objects or ``YYYY-MM-DD``. Raises ``BasisError`` naming
    every field at fault."""
    given = {k: v for k in FIELDS
             if (v := values.get(k)) is not None and not (isinstance(v, str) and not v.strip())}
    if not given:
        return None
    missing = tuple(k for k in FIELDS if k not in given)
    problems = dict.fromkeys(missing, "required: fill in all five lawful basis fields, or none")
    texts: dict[str, str] = {}
    for k in ("reference", "scope", "approved_by"):
        v = given.get(k)
        if v is not None and not isinstance(v, str):
            problems[k] = f"must be text, got {v!r}"
        elif v is not None:
            texts[k] = v.strip()
    days: dict[str, date] = {}
    for k in ("approved_on", "expires_on"):
        if k in given:
            day = _day(given[k])
            if day is None:
                problems[k] = f"must be a date written YYYY-MM-DD, got {given[k]!r}"
            else:
                days[k] = day
    if not problems and days["expires_on"] <= days["approved_on"]:
        problems["expires_on"] = (
            f"expiry {days['expires_on']} must be after approval {days['approved_on']}")
    if problems:
        raise BasisError(problems, missing)
    return Basis(reference=texts["reference"], scope=texts["scope"],
                 approved_by=texts["approved_by"], approved_on=days["approved_on"],
                 expires_on=days["expires_on"])
