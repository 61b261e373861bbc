"""Seals: the head of the audit chain (event id, hash, time) kept outside the database.

A hash chain proves that nothing *inside* it changed, but not that its end was not cut off or
that it was not rewritten from the first event by someone who can write to the database (and,
for an unkeyed chain, recompute hashes). A seal written somewhere the database cannot reach (an
append-only file on other storage, the officer's notebook, an evidence pack already disclosed)
closes that: the sealed event must still exist with the same hash, and since each hash covers
the one before it, every event at or before it is then unchanged too.

The seal file is JSON lines, one seal a line, appended and never rewritten. An evidence pack's
``audit_head.json`` uses the same format, so ``audit verify --seal`` accepts either.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, col, select

from monitor.audit.chain import ChainReport
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.types import utcnow


class SealError(Exception):
    """A seal file that cannot be read or written, phrased for the officer."""


@dataclass(frozen=True, slots=True)
class Seal:
    event_id: int
    hash: str
    sealed_at: datetime

    def line(self) -> str:
        return json.dumps({"event_id": self.event_id, "hash": self.hash,
                           "sealed_at": self.sealed_at.isoformat(timespec="seconds")},
                          sort_keys=True)

    def notebook(self) -> str:
        """The same, short enough to copy by hand."""
        return (f"audit head: event {self.event_id}, hash {self.hash}, sealed "
                f"{self.sealed_at:%Y-%m-%d %H:%M:%S} UTC")


def head(session: Session, *, now: datetime | None = None) -> Seal | None:
    """The chain's last event as a seal; None while the chain is empty."""
    row = session.exec(
        select(AuditEvent.id, AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    if row is None or row[0] is None:
        return None
    return Seal(int(row[0]), str(row[1]), now or utcnow())


def append_seal(path: Path, seal: Seal) -> None:
    """Append one line and flush it to disk; an existing file is never truncated."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            os.write(fd, (seal.line() + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as err:
        raise SealError(f"cannot append to {path}: {err.strerror or err}") from err


def parse_seals(text: str, where: str) -> list[Seal]:
    seals: list[Seal] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            event_id, digest = data["event_id"], data["hash"]
            sealed_at = datetime.fromisoformat(data["sealed_at"])
            if (not isinstance(event_id, int) or isinstance(event_id, bool)
                    or not isinstance(digest, str) or len(digest) != 64):
                raise ValueError("event_id must be a number and hash 64 hex digits")
        except (ValueError, KeyError, TypeError) as err:
            raise SealError(f"{where} line {n}: not a seal ({err})") from err
        seals.append(Seal(event_id, digest, sealed_at))
    if not seals:
        raise SealError(f"{where}: no seal in it")
    return seals


def read_seals(path: Path) -> list[Seal]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SealError(f"cannot read {path}: {err}") from err
    return parse_seals(text, str(path))


def check_seals(session: Session, seals: list[Seal], chain: ChainReport) -> list[str]:
    """Every way the database disagrees with the seals (empty: all hold).

    ``chain`` is the result of walking the chain: a sealed event that still has its hash proves
    the events before it only if the links up to it are intact."""
    problems: list[str] = []
    for seal in seals:
        when = f"{seal.sealed_at:%Y-%m-%d %H:%M:%S}"
        ev = session.get(AuditEvent, seal.event_id)
        if ev is None:
            problems.append(f"event {seal.event_id} (sealed {when}) is gone: the chain was cut "
                            "or rewritten")
        elif ev.hash != seal.hash:
            problems.append(f"event {seal.event_id} (sealed {when}) has changed: its hash is "
                            "not the sealed one")
        elif not chain.ok and chain.first_bad_id is not None \
                and chain.first_bad_id <= seal.event_id:
            problems.append(f"event {chain.first_bad_id}, before the seal of {when}, is broken")
    return problems
