"""``hate-monitor import FILE.jsonl``: bulk posts from moderators' exports and other tools.

One JSON object per line. Required keys: ``platform``, ``post_id``, ``url``, ``author``,
``created_at`` (ISO 8601 with a timezone), ``text``. Optional: ``author_id``, ``language``,
``thread_id``, ``parent_id``, ``raw`` (the original platform item, any JSON).

The line itself, byte for byte, is stored as the capture's raw payload: it is what this tool
received. A bad line is reported with its number and reason and every good line is still
ingested. Lines are committed in batches, each batch atomically (the next batch is scored while
one is written), and ingest is idempotent, so an import killed half-way and run again ends with
every line stored exactly once.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, StatementError

from connectors.post import Post
from connectors.text import clean_text
from models.types import Scorer
from monitor.ingest.pipeline import BatchResult, process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database

REQUIRED = ("platform", "post_id", "url", "author", "created_at", "text")
OPTIONAL = ("author_id", "language", "thread_id", "parent_id", "raw")
MAX_LINE_BYTES = 4 * 1024 * 1024
# Bounds every database accepts, so SQLite (which stores anything) and PostgreSQL (which refuses
# an over-long VARCHAR(255) or a NUL) take and refuse the same lines. platform and post_id are
# the column sizes; the rest are far above anything a platform produces.
MAX_CHARS = {"platform": 32, "post_id": 255, "author": 255, "author_id": 255,
             "thread_id": 255, "parent_id": 255, "language": 35, "url": 8192}
# A post before the web or after this century is a broken export, not evidence; the bounds also
# keep every later date calculation (UTC conversion, ages, weeks) clear of datetime's limits.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

log = logging.getLogger(__name__)


class LineError(ValueError):
    """Why one line was rejected."""


@dataclass(slots=True)
class ImportSummary:
    read: int = 0
    new: int = 0
    versions: int = 0
    duplicate: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def absorb(self, batch: BatchResult) -> None:
        self.new += batch.new
        self.versions += batch.versions
        self.duplicate += batch.duplicate


def _text_field(obj: dict[str, Any], key: str, *, required: bool) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise LineError(f"missing required key {key!r}")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key.endswith("_id"):
        value = str(value)
    if not isinstance(value, str):
        raise LineError(f"{key!r} must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise LineError(f"{key!r} must not be empty")
    _storable(key, value)
    limit = MAX_CHARS.get(key)
    if limit is not None and len(value) > limit:
        raise LineError(f"{key!r} is {len(value)} characters; the limit is {limit}")
    return value


def _storable(key: str, value: str) -> None:
    """Text every database can store: PostgreSQL refuses NUL, and a lone surrogate (valid in
    JSON's \\u escapes) is not UTF-8 at all."""
    if "\x00" in value:
        raise LineError(f"{key!r} contains a NUL character (\\u0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        bad = ord(value[err.start])
        raise LineError(f"{key!r} contains an unpaired surrogate (\\u{bad:04x})") from err


def parse_line(line: bytes) -> Post:
    """One JSONL line → Post, or LineError saying exactly what is wrong."""
    if len(line) > MAX_LINE_BYTES:
        raise LineError(f"line is {len(line)} bytes; the limit is {MAX_LINE_BYTES}")
    try:
        obj = json.loads(line)
    except UnicodeDecodeError as err:
        raise LineError(f"not UTF-8 text ({err.reason} at byte {err.start})") from err
    except json.JSONDecodeError as err:
        raise LineError(f"not valid JSON: {err.msg} at column {err.colno}") from err
    except RecursionError as err:
        raise LineError("JSON nested too deeply") from err
    except ValueError as err:  # e.g. an integer longer than Python's digit limit
        raise LineError(f"not valid JSON: {str(err)[:120]}") from err
    if not isinstance(obj, dict):
        raise LineError(f"expected a JSON object, got {type(obj).__name__}")
    unknown = sorted(set(obj) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise LineError(f"unknown key(s) {', '.join(map(repr, unknown))}")
    vals = {k: _text_field(obj, k, required=True) for k in REQUIRED}
    opts = {k: _text_field(obj, k, required=False) for k in OPTIONAL if k != "raw"}
    url = str(vals["url"])
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LineError(f"'url' must be an http(s) URL, got {url[:100]!r}")
    created_raw = str(vals["created_at"])
    try:
        created = datetime.fromisoformat(created_raw.replace("Z", "+00:00"))
    except ValueError as err:
        raise LineError(f"'created_at' is not ISO 8601: {created_raw[:40]!r}") from err
    if created.tzinfo is None:
        raise LineError(
            f"'created_at' {created_raw!r} has no timezone; add Z or an offset such as +00:00"
        )
    try:
        created = created.astimezone(UTC)
    except OverflowError as err:
        raise LineError(f"'created_at' {created_raw[:40]!r} is out of range") from err
    if not EARLIEST <= created < LATEST:
        raise LineError(f"'created_at' {created_raw[:40]!r} is not between "
                        f"{EARLIEST:%Y} and {LATEST:%Y}")
    text = clean_text(str(vals["text"]))
    _storable("text", text)
    if not text:
        raise LineError("'text' is empty once invisible characters are removed")
    return Post(
        platform=str(vals["platform"]).strip().lower(),
        post_id=str(vals["post_id"]).strip(),
        url=url,
        author_handle=str(vals["author"]).strip(),
        author_id=opts["author_id"],
        created_at=created,
        text=text,
        raw=line.rstrip(b"\r\n"),
        language=opts["language"],
        thread_id=opts["thread_id"],
        parent_id=opts["parent_id"],
    )


def _line_fault(err: StatementError) -> bool:
    """A refusal of this data (a value too long, a bad character, a constraint), as opposed to
    the database itself failing (read-only, disk full, gone), which must stop the import."""
    return isinstance(err, DataError | IntegrityError) or not isinstance(err, DBAPIError)


def iter_lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line


def import_file(
    db: Database,
    scorer: Scorer,
    path: Path,
    *,
    weights: PriorityWeights,
    actor: str,
    retention_days: int = 30,
    batch_size: int = 256,
    progress: Callable[[ImportSummary], None] | None = None,
    shadows: Sequence[Scorer] = (),
) -> ImportSummary:
    summary = ImportSummary()
    batch: list[tuple[int, Post]] = []

    def store(posts: list[Post]) -> BatchResult:
        return process_posts_sync(
            db,
            scorer,
            posts,
            weights=weights,
            origin="import",
            actor=actor,
            retention_days=retention_days,
            shadows=shadows,
        )

    def flush() -> None:
        if not batch:
            return
        try:
            summary.absorb(store([post for _, post in batch]))
        except StatementError as err:
            if not _line_fault(err):
                raise
            # The database refused something parse_line let through. The batch rolled back
            # whole; store its lines one at a time so only the offending ones are lost.
            for number, post in batch:
                try:
                    summary.absorb(store([post]))
                except StatementError as err:
                    if not _line_fault(err):
                        raise
                    # The class name only: the database's message can quote the post's text.
                    reason = type(getattr(err, "orig", None) or err).__name__
                    log.warning("import line %d refused by the database (%s)", number, reason)
                    summary.rejected += 1
                    summary.errors.append((number, f"the database refused it ({reason})"))
        batch.clear()
        if progress is not None:
            progress(summary)

    with path.open("rb") as stream:
        for number, line in iter_lines(stream):
            summary.read += 1
            try:
                batch.append((number, parse_line(line)))
            except LineError as err:
                summary.rejected += 1
                summary.errors.append((number, str(err)))
                continue
            if len(batch) >= batch_size:
                flush()
    flush()
    return summary
