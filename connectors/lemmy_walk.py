"""The resumable newest-first walk shared by the Lemmy, Telegram and YouTube connectors.

(It lives under a ``lemmy_`` name only because of file ownership in the team; it is generic and
could move to ``connectors/walk.py``.)

Those platforms list the newest posts first and page *downwards*. The sweep stores ``Page.cursor``
after each page's posts are stored, and a process may die right after any page, so the cursor
must say both where the last *completed* walk ended (``since``) and how far the walk in progress
has come (``position``), while the new high-water mark (``pending``) is only promoted to
``since`` when the walk has reached the old one. A crash mid-walk therefore resumes at the page
after the last stored one; posts that arrived meanwhile sit above ``pending`` and are read by the
next walk. Nothing is lost; a post may be read twice (ingest is idempotent).

Keys are strings that sort in post order (zero-padded ids, or a UTC timestamp then the id). A
post whose key equals ``since`` is read again on purpose: with second-resolution timestamps two
posts can share one, and a duplicate is cheaper than a loss.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from connectors.base import PermanentError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class WalkState:
    since: str | None = None
    pending: str | None = None
    position: Any = None
    taken: int = 0

    @property
    def walking(self) -> bool:
        return self.pending is not None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"since": self.since}
        if self.walking:
            out.update(pending=self.pending, position=self.position, taken=self.taken)
        return out

    @classmethod
    def from_json(cls, data: Any, *, source: str) -> WalkState:
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise bad_cursor(source, f"expected an object, got {type(data).__name__}")
        since, pending, taken = data.get("since"), data.get("pending"), data.get("taken", 0)
        if not (since is None or isinstance(since, str)):
            raise bad_cursor(source, "'since' must be a string")
        if not (pending is None or isinstance(pending, str)):
            raise bad_cursor(source, "'pending' must be a string")
        if not isinstance(taken, int) or isinstance(taken, bool) or taken < 0:
            raise bad_cursor(source, "'taken' must be a non-negative integer")
        return cls(since=since, pending=pending, position=data.get("position"), taken=taken)


def bad_cursor(source: str, why: str) -> PermanentError:
    return PermanentError(
        f"{source}: the stored cursor is not one this connector wrote ({why}); "
        "clear the source's cursor to start again"
    )


def load_cursor(cursor: str | None, *, source: str) -> dict[str, Any]:
    """The JSON object of a stored cursor (``{}`` on a first run)."""
    if cursor is None or not cursor.strip():
        return {}
    try:
        data = json.loads(cursor)
    except ValueError as err:
        raise bad_cursor(source, f"not JSON: {err}") from err
    if not isinstance(data, dict):
        raise bad_cursor(source, f"expected a JSON object, got {type(data).__name__}")
    return data


def dump_cursor(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Step(Generic[T]):
    """What one page contributes: the posts to keep, the state to store after them, and whether
    the walk is complete (so the caller stops fetching)."""

    kept: list[T]
    state: WalkState
    done: bool


def step(
    state: WalkState,
    items: Sequence[tuple[str, T]],
    next_position: Any,
    *,
    backfill_limit: int,
    floor_keys: Sequence[str] | None = None,
) -> Step[T]:
    """Advance the walk by one fetched page.

    ``items`` are the page's (key, item) pairs; ``next_position`` is where the next page starts
    (None when the platform says this was the last page). ``floor_keys`` are the keys that show
    how far down the walk has come; pinned posts, which sit at the top whatever their age, must
    be left out of it or they would end the walk early.
    """
    keys = [key for key, _ in items]
    floor = list(keys if floor_keys is None else floor_keys)
    since = state.since
    pending = state.pending if state.walking else max(keys, default=None)
    if pending is None:
        # An empty first page: nothing to read, and nothing to promote.
        return Step([], WalkState(since=since), True)
    if since is not None:
        pending = max(pending, since)
    kept = [item for key, item in items if since is None or key >= since]
    taken = state.taken
    done = next_position is None
    if since is None:
        budget = max(0, backfill_limit - taken)
        kept = kept[:budget]
        taken += len(kept)
        done = done or taken >= backfill_limit
    elif floor and min(floor) < since:
        done = True
    if done:
        return Step(kept, WalkState(since=pending), True)
    walking = WalkState(since=since, pending=pending, position=next_position, taken=taken)
    return Step(kept, walking, False)
