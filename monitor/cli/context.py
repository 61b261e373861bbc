"""What every CLI command receives as ``ctx.obj`` (the settings, and the database on demand),
and the small helpers the command modules share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import click

from models.types import Scorer
from monitor.config import Settings
from monitor.storage.db import Database


@dataclass
class CliContext:
    settings: Settings
    _db: Database | None = field(default=None, repr=False)

    def database(self) -> Database:
        """Open the configured database, creating or upgrading its schema first."""
        if self._db is None:
            db = Database(self.settings.database_url)
            db.upgrade()
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None


def obj_of(ctx: click.Context) -> CliContext:
    obj = ctx.find_object(CliContext)
    if obj is None:  # pragma: no cover - the root group always sets it
        raise click.ClickException("internal error: no CLI context")
    return obj


def load_scorer(obj: CliContext) -> Scorer:
    """The live classifier: the promoted version if the database names one, else the shipped."""
    from models.artefact import ArtefactError
    from monitor.classifier.versions import RegistryError, live_scorer

    try:
        return live_scorer(obj.settings, obj.database())
    except (OSError, ValueError, ArtefactError, RegistryError) as err:
        raise click.ClickException(f"cannot load the classifier: {err}") from err


def load_shadows(obj: CliContext) -> list[Scorer]:
    """Models registered as shadows score alongside the live one (never ranking the queue)."""
    from models.artefact import ArtefactError
    from monitor.classifier.versions import RegistryError, shadow_scorers

    try:
        return shadow_scorers(obj.database(), obj.settings)
    except (OSError, ValueError, ArtefactError, RegistryError) as err:
        raise click.ClickException(f"cannot load a shadow model: {err}") from err


def when(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


def parse_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.ClickException(f"{name} {value!r}: expected a date like 2026-11-28") from err
