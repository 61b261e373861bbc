"""Watched sources declared in config.toml (``[[sources]]`` tables), written to the database.

Every table is validated before anything is written, so one mistake changes nothing; messages
name the table and the key. A source declared in the file is managed from the file: on each
start (or ``hate-monitor sources seed``) a missing one is created and a changed one updated,
with an audit event naming the fields that changed. Its cursor and health are never touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import select

from connectors.registry import CONNECTORS
from monitor.audit import chain as audit
from monitor.config import ConfigError, Settings
from monitor.sources.basis import FIELDS as BASIS_FIELDS
from monitor.sources.basis import Basis, BasisError, parse_basis
from monitor.sources.schedule import ScheduleError, parse_schedule
from monitor.sources.store import add_source
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from monitor.storage.types import utcnow

ACTOR = "config:sources"
_KEYS = {
    "name", "connector", "target", "base_url", "options", "schedule", "jitter_s", "backfill",
    "include", "exclude", "enabled", "basis",
}  # fmt: skip
_BASIS_KEYS = set(BASIS_FIELDS)


@dataclass(frozen=True, slots=True)
class SourceDecl:
    name: str
    connector: str
    target: str
    basis: Basis | None
    base_url: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    schedule: str = "interval:15m"
    jitter_s: int = 60
    backfill: int = 200
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    enabled: bool = True

    def fields(self) -> dict[str, Any]:
        """Source columns this declaration sets."""
        out: dict[str, Any] = {
            "connector": self.connector,
            "target": self.target,
            "base_url": self.base_url,
            "options": self.options,
            "schedule": self.schedule,
            "jitter_s": self.jitter_s,
            "backfill_limit": self.backfill,
            "include_terms": self.include,
            "exclude_terms": self.exclude,
            "enabled": self.enabled,
        }
        if self.basis is not None:
            out |= {
                "basis_reference": self.basis.reference,
                "basis_scope": self.basis.scope,
                "basis_approved_by": self.basis.approved_by,
                "basis_approved_on": self.basis.approved_on,
                "basis_expires_on": self.basis.expires_on,
            }
        return out


class _Table:
    def __init__(self, raw: Any, where: str) -> None:
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{where} must be a table")
        self.raw = raw
        self.where = where

    def check_keys(self, known: set[str]) -> None:
        unknown = sorted(set(self.raw) - known)
        if unknown:
            raise ConfigError(
                f"{self.where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> Any:
        value = self.raw.get(key, default)
        if required and (value is None or (isinstance(value, str) and not value.strip())):
            raise ConfigError(f"{self.where}: key {key!r} is required")
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{self.where}: key {key!r} must be a string, got {value!r}")
        return value

    def whole(self, key: str, default: int) -> int:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(
                f"{self.where}: key {key!r} must be a whole number >= 0, got {value!r}"
            )
        return value

    def terms(self, key: str) -> list[str]:
        value = self.raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(t, str) and t for t in value):
            raise ConfigError(f"{self.where}: key {key!r} must be a list of words, got {value!r}")
        return list(value)


def _basis(raw: Any, where: str) -> Basis | None:
    if raw is None:
        return None
    t = _Table(raw, where)
    t.check_keys(_BASIS_KEYS)
    try:
        basis = parse_basis(t.raw)
    except BasisError as err:
        key, problem = next(iter(err.problems.items()))
        if key in err.missing:
            raise ConfigError(f"{where}: key {key!r} is required") from err
        raise ConfigError(f"{where}: key {key!r} {problem}") from err
    if basis is None:
        raise ConfigError(f"{where}: key 'reference' is required")
    return basis


def declared_names(settings: Settings) -> frozenset[str]:
    """Names in config.toml ``[[sources]]``, read leniently (the file is validated at seeding):
    those sources are managed from the file, and the UI and CLI refuse to change them."""
    raw = settings.extra.get("sources", [])
    if not isinstance(raw, list):
        return frozenset()
    return frozenset(str(e["name"]).strip() for e in raw
                     if isinstance(e, Mapping) and isinstance(e.get("name"), str))


def parse_declarations(settings: Settings) -> list[SourceDecl]:
    raw = settings.extra.get("sources", [])
    file = settings.path or "config.toml"
    if not isinstance(raw, list):
        raise ConfigError(f"{file}: 'sources' must be an array of tables ([[sources]])")
    decls: list[SourceDecl] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, start=1):
        label = entry.get("name") if isinstance(entry, Mapping) else None
        where = f"{file}: [[sources]] #{n}" + (f" ({label!r})" if label else "")
        t = _Table(entry, where)
        t.check_keys(_KEYS)
        name = t.text("name", required=True).strip()
        if name in seen:
            raise ConfigError(f"{where}: a source named {name!r} is declared twice")
        seen.add(name)
        connector = t.text("connector", required=True)
        if connector not in CONNECTORS:
            raise ConfigError(
                f"{where}: key 'connector': unknown connector {connector!r}; choose one of "
                f"{', '.join(sorted(CONNECTORS))}"
            )
        schedule = t.text("schedule", "interval:15m")
        try:
            parse_schedule(schedule)
        except ScheduleError as err:
            raise ConfigError(f"{where}: key 'schedule': {err}") from err
        options = t.raw.get("options", {})
        if not isinstance(options, Mapping):
            raise ConfigError(f"{where}: key 'options' must be a table")
        enabled = t.raw.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{where}: key 'enabled' must be true or false, got {enabled!r}")
        decls.append(
            SourceDecl(
                name=name,
                connector=connector,
                target=t.text("target", required=True),
                basis=_basis(t.raw.get("basis"), f"{where} basis"),
                base_url=t.text("base_url"),
                options=dict(options),
                schedule=schedule,
                jitter_s=t.whole("jitter_s", 60),
                backfill=t.whole("backfill", 200),
                include=t.terms("include"),
                exclude=t.terms("exclude"),
                enabled=enabled,
            )
        )
    return decls


def seed_sources(db: Database, settings: Settings) -> list[str]:
    """Create or update the declared sources; returns one line per change."""
    decls = parse_declarations(settings)
    if not decls:
        return []
    changes: list[str] = []
    with db.write() as session:
        for d in decls:
            src = session.exec(select(Source).where(Source.name == d.name)).first()
            if src is None:
                src = add_source(
                    session,
                    name=d.name,
                    connector=d.connector,
                    target=d.target,
                    actor=ACTOR,
                    basis=d.basis,
                    base_url=d.base_url,
                    options=d.options,
                    schedule=d.schedule,
                    backfill_limit=d.backfill,
                    include_terms=d.include,
                    exclude_terms=d.exclude,
                )
                src.jitter_s = d.jitter_s
                src.enabled = d.enabled
                session.add(src)
                changes.append(f"created source {d.name!r} from the configuration")
                continue
            changed = sorted(k for k, v in d.fields().items() if getattr(src, k) != v)
            if not changed:
                continue
            for key in changed:
                setattr(src, key, d.fields()[key])
            src.updated_at = utcnow()
            session.add(src)
            audit.record(
                session,
                actor=ACTOR,
                action="source.update",
                object_type="source",
                object_id=src.id,
                reason=src.basis_reference,
                details={"name": d.name, "changed": changed},
            )
            changes.append(f"updated source {d.name!r}: {', '.join(changed)}")
    return changes
