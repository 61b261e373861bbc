"""Watched sources: creation, listing, removal, and the lawful-basis rule.

Repeated monitoring of a named group can be directed surveillance (RIPA 2000), so every source
carries its lawful basis: a reference, scope, approver, approval and expiry dates. A source
without one, or past expiry, is never swept.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from connectors.base import SourceSpec
from connectors.registry import CONNECTORS
from monitor import audit
from monitor.config import Settings
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow

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


def get_source(session: Session, ref: str) -> Source:
    """By name, or by numeric id."""
    src = session.exec(select(Source).where(Source.name == ref)).first()
    if src is None and ref.isdigit():
        src = session.get(Source, int(ref))
    if src is None:
        raise SourceError(f"no source named {ref!r} (see 'hate-monitor sources list')")
    return src


def list_sources(session: Session) -> list[Source]:
    return list(session.exec(select(Source).order_by(col(Source.name))).all())


def add_source(
    session: Session,
    *,
    name: str,
    connector: str,
    target: str,
    actor: str,
    basis: Basis | None,
    base_url: str | None = None,
    options: Mapping[str, Any] | None = None,
    schedule: str = "interval:15m",
    backfill_limit: int = 200,
    include_terms: list[str] | None = None,
    exclude_terms: list[str] | None = None,
) -> Source:
    if connector not in CONNECTORS:
        raise SourceError(
            f"unknown connector {connector!r}; choose one of {', '.join(sorted(CONNECTORS))}"
        )
    if not name.strip() or not target.strip():
        raise SourceError("a source needs a name and a target")
    if backfill_limit < 0:
        raise SourceError("backfill limit must be 0 or more")
    if session.exec(select(Source).where(Source.name == name)).first() is not None:
        raise SourceError(f"a source named {name!r} already exists")
    src = Source(
        name=name,
        connector=connector,
        target=target,
        base_url=base_url,
        options=dict(options or {}),
        schedule=schedule,
        backfill_limit=backfill_limit,
        include_terms=list(include_terms or []),
        exclude_terms=list(exclude_terms or []),
    )
    if basis is not None:
        src.basis_reference = basis.reference
        src.basis_scope = basis.scope
        src.basis_approved_by = basis.approved_by
        src.basis_approved_on = basis.approved_on
        src.basis_expires_on = basis.expires_on
    session.add(src)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="source.create",
        object_type="source",
        object_id=src.id,
        reason=basis.reference if basis else "no lawful basis yet",
        details={"name": name, "connector": connector, "target": target, "base_url": base_url},
    )
    return src


def remove_source(session: Session, ref: str, *, actor: str) -> None:
    src = get_source(session, ref)
    # One indexed row is enough to know; counting every capture of a busy source is not needed.
    used = session.exec(select(Capture.id).where(Capture.source_id == src.id).limit(1)).first()
    if used is not None:
        raise SourceError(
            f"captures came from {src.name!r}; they keep it as their provenance. "
            "Disable it instead (hate-monitor sources disable)."
        )
    audit.record(
        session,
        actor=actor,
        action="source.remove",
        object_type="source",
        object_id=src.id,
        details={"name": src.name},
    )
    session.delete(src)


def set_enabled(session: Session, ref: str, enabled: bool, *, actor: str) -> Source:
    src = get_source(session, ref)
    src.enabled = enabled
    src.updated_at = utcnow()
    session.add(src)
    audit.record(
        session,
        actor=actor,
        action="source.enable" if enabled else "source.disable",
        object_type="source",
        object_id=src.id,
        details={"name": src.name},
    )
    return src


def credentials_for(
    connector: str, settings: Settings, env: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Secrets come from ``[connectors.NAME]`` in config.toml or HATE_MONITOR_NAME_KEY in the
    environment; they are never stored in the database."""
    env = os.environ if env is None else env
    creds: dict[str, str] = {}
    section = settings.extra.get("connectors", {}).get(connector, {})
    if isinstance(section, Mapping):
        creds.update({str(k): str(v) for k, v in section.items()})
    prefix = f"HATE_MONITOR_{connector.upper()}_"
    for key, value in env.items():
        if key.startswith(prefix) and value:
            creds[key[len(prefix) :].lower()] = value
    return creds


def spec_for(source: Source, settings: Settings) -> SourceSpec:
    return SourceSpec(
        connector=source.connector,
        target=source.target,
        base_url=source.base_url,
        options=dict(source.options),
        credentials=credentials_for(source.connector, settings),
        name=source.name,
    )
