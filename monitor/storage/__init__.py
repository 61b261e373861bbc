"""Storage: SQLModel tables, engines and migrations."""

from monitor.storage.db import Database, DatabaseError

__all__ = ["Database", "DatabaseError"]
