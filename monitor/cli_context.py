"""What every CLI command receives as ``ctx.obj``: the settings, and the database on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

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
