"""Watched sources: creation, listing, editing, enabling, removal, and their credentials.
Every change is audited here; the lawful-basis rule is ``monitor.sources.basis``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, col, select

from connectors.base import SourceSpec
from connectors.registry import CONNECTORS
from monitor.audit import chain as audit
from monitor.config import Settings
from monitor.sources.basis import Basis, SourceError
from monitor.storage.tables.evidence import Capture
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow


class UnknownSource(SourceError):
    """No source by that name or number."""


class DeclaredSourceError(SourceError):
    """The source is declared in config.toml ``[[sources]]``, which is applied on every start:
    a change made anywhere else would silently come undone, so it is refused."""


def refuse_declared(name: str, declared: frozenset[str]) -> None:
    """The one rule for sources managed from config.toml (``declared``: their names)."""
    if name in declared:
        raise DeclaredSourceError(
            f"source {name!r} is declared in config.toml [[sources]] and managed from that "
            "file: change it there and restart (or run 'hate-monitor sources seed')"
        )


def source_by_id(session: Session, source_id: int) -> Source:
    src = session.get(Source, source_id)
    if src is None:
        raise UnknownSource(f"There is no source number {source_id}.")
    return src


def get_source(session: Session, ref: str) -> Source:
    """By name, or by numeric id."""
    src = session.exec(select(Source).where(Source.name == ref)).first()
    if src is None and ref.isdigit():
        src = session.get(Source, int(ref))
    if src is None:
        raise UnknownSource(f"no source named {ref!r} (see 'hate-monitor sources list')")
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
    jitter_s: int = 60,
    enabled: bool = True,
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
        jitter_s=jitter_s,
        enabled=enabled,
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


def update_source(session: Session, source_id: int, cols: Mapping[str, Any], *, actor: str,
                  declared: frozenset[str], action: str = "source.update") -> list[str]:
    """Apply the changed columns with one audit event naming them; returns their names."""
    src = source_by_id(session, source_id)
    refuse_declared(src.name, declared)
    changed = sorted(k for k, v in cols.items() if getattr(src, k) != v)
    if not changed:
        return []
    if {"connector", "target", "base_url"} & set(changed) and src.cursor is not None:
        # A cursor belongs to the place it was read from; elsewhere it means nothing.
        src.cursor = None
        changed.append("cursor")
    for k in changed:
        if k != "cursor":
            setattr(src, k, cols[k])
    src.updated_at = utcnow()
    session.add(src)
    audit.record(session, actor=actor, action=action, object_type="source",
                 object_id=source_id, reason=src.basis_reference,
                 details={"name": src.name, "changed": changed})
    return changed


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
