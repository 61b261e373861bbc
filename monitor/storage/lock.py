"""A lock file next to the SQLite database, held for their whole life by the processes that use it.

``serve``, ``worker`` and every other CLI command that opens the database hold a *shared* lock on
``<database>.lock``; ``restore`` needs the *exclusive* lock and refuses when it cannot have it at
once. Without this a restore under a running service deleted the ``-wal`` file the service still
had open: the copy it kept lacked the last commits, and the live service later handed out ids a
second time. ``flock`` locks go away with the process, so a crash never leaves a stale lock.

PostgreSQL needs none of this: restore is ``pg_restore``'s job there (see the README).
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class DatabaseInUse(Exception):
    """Another process holds the database."""


@dataclass
class DatabaseLock:
    path: Path
    fd: int

    def release(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = -1


def lock_path(url: str) -> Path | None:
    """``<database>.lock`` for a SQLite file; None for PostgreSQL and in-memory databases."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    db_path = Path(parsed.database).expanduser()
    return db_path.with_name(db_path.name + ".lock")


def _take(path: Path, mode: int) -> DatabaseLock | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return DatabaseLock(path, fd)


def hold_shared(url: str) -> DatabaseLock | None:
    """Mark this process as a user of the database until it exits (or ``release``)."""
    path = lock_path(url)
    if path is None:
        return None
    lock = _take(path, fcntl.LOCK_SH)
    if lock is None:
        # Only a restore holds the exclusive lock, and only for seconds: wait for it.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_SH)
        lock = DatabaseLock(path, fd)
    return lock


def take_exclusive(url: str) -> DatabaseLock | None:
    """The whole database for this process, or DatabaseInUse naming the lock file."""
    path = lock_path(url)
    if path is None:
        return None
    lock = _take(path, fcntl.LOCK_EX)
    if lock is None:
        raise DatabaseInUse(
            f"the database is in use (a service, worker or command holds {path}); "
            "stop 'hate-monitor serve' and every 'hate-monitor worker' first"
        )
    return lock
