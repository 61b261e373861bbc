"""What every CLI command receives as ``ctx.obj`` (the settings, and the database on demand),
and the small helpers the command modules share."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import date, datetime

import click

from models.types import Scorer
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.lock import DatabaseLock, hold_shared


def os_user() -> str:
    """The operating-system account running the command (DPA 2018 s62: who)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "unknown"


@dataclass
class CliContext:
    settings: Settings
    _db: Database | None = field(default=None, repr=False)
    _lock: DatabaseLock | None = field(default=None, repr=False)
    as_name: str | None = None  # ``hate-monitor --as NAME``: the desk account acting
    _actor: str | None = field(default=None, repr=False)

    def actor(self, database: Database | None = None) -> str:
        """Who the audit trail names for this command: ``cli:<os user>``, or with ``--as NAME``
        ``NAME (cli:<os user>)`` once NAME is checked to be an active account (in ``database``
        when given: ``restore`` must not take the shared lock ``database()`` takes)."""
        if self._actor is None:
            shell = f"cli:{os_user()}"
            if self.as_name is None:
                self._actor = shell
            else:
                from monitor.accounts.users import get_user

                with (database or self.database()).read() as session:
                    user = get_user(session, self.as_name)
                if user is None or user.disabled:
                    raise click.ClickException(
                        f"--as {self.as_name!r}: no active account of that name")
                self._actor = f"{user.username} ({shell})"
        return self._actor

    def database(self) -> Database:
        """Open the configured database, creating or upgrading its schema first.

        The process holds the database's shared lock from here until it exits, so ``restore``
        refuses to replace the file under a running ``serve``, ``worker`` or import."""
        if self._db is None:
            if self._lock is None:
                self._lock = hold_shared(self.settings.database_url)
            db = Database(self.settings.database_url)
            db.upgrade()
            self._db = db
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
            self._db = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None


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
