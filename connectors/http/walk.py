"""The resumable cursor for newest-first listings."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.base import PermanentError
from connectors.http.parse import is_newer, max_id


@dataclass(frozen=True, slots=True)
class Walk:
    """Where a walk down a newest-first listing stands; serialised as the source's cursor.

    The sweep stores the cursor after each page's posts are stored, so the high-water mark
    (``since``) only moves once a walk has reached it (or the end of the listing, or the first-run
    back-fill limit). Until then ``pending`` holds the newest key seen in the walk and ``page`` the
    platform's token for the next page down: a process that dies mid-walk resumes from ``page``,
    and the posts that arrived above meanwhile are still newer than ``since``, so none is lost.

    Keys are ids compared with ``is_newer`` (or timestamps in one fixed format). ``inclusive``
    keeps items equal to ``since`` for platforms whose keys can tie (timestamps): a duplicate is
    harmless, ingest is idempotent; a loss is not.
    """

    since: str | None = None
    pending: str | None = None
    page: str | None = None
    count: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, cursor: str | None, *, source: str) -> Walk:
        if not cursor:
            return cls()
        try:
            data = json.loads(cursor)
        except ValueError as err:
            raise PermanentError(f"{source}: stored cursor is not JSON: {cursor[:80]!r}") from err
        if not isinstance(data, dict):
            raise PermanentError(f"{source}: stored cursor is not a JSON object: {cursor[:80]!r}")

        def text(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        count = data.get("count", 0)
        extra = data.get("extra", {})
        return cls(
            since=text("since"),
            pending=text("pending_high_water"),
            page=text("page"),
            count=count if isinstance(count, int) and count >= 0 else 0,
            extra=extra if isinstance(extra, dict) else {},
        )

    def dump(self) -> str:
        data: dict[str, Any] = {
            "since": self.since,
            "pending_high_water": self.pending,
            "page": self.page,
            "count": self.count,
        }
        if self.extra:
            data["extra"] = dict(self.extra)
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    def wanted(self, key: str | None, *, inclusive: bool = False) -> bool:
        """Whether an item with this key is above the high-water mark (so not yet stored)."""
        if key is None:
            return True
        if self.since is None:
            return True
        return is_newer(key, self.since) or (inclusive and key == self.since)

    def advance(
        self,
        keys: Sequence[str | None],
        next_page: str | None,
        *,
        backfill_limit: int,
        inclusive: bool = False,
        stop_on_any_old: bool = True,
    ) -> tuple[Walk, list[bool]]:
        """The walk after this page, and which of the page's items to keep (same order).

        ``keys`` are the page's items' keys newest first (None for an item whose key could not
        be read: kept, never counted as reaching the mark). ``stop_on_any_old=False`` is for
        listings not strictly newest-first: the walk ends only on a page with nothing new.
        """
        wanted = [self.wanted(k, inclusive=inclusive) for k in keys]
        keep = list(wanted)
        first_run = self.since is None
        if first_run:
            # The back-fill limit bounds a first run; 0 takes nothing and only sets the mark.
            allowance = max(0, backfill_limit - self.count)
            for i, flag in enumerate(keep):
                if flag:
                    keep[i] = allowance > 0
                    allowance -= 1
        taken = sum(keep)
        # The mark covers everything above it that we saw, even items the back-fill limit left
        # out: those are skipped on purpose, not owed to a later run.
        pending = self.pending
        for key, flag in zip(keys, wanted, strict=True):
            if flag and key is not None:
                pending = max_id(key, pending)
        count = self.count + taken
        old_seen = any(k is not None and not flag for k, flag in zip(keys, wanted, strict=True))
        reached = old_seen if stop_on_any_old else not any(wanted)
        limit_hit = first_run and count >= backfill_limit
        if next_page is None or not keys or reached or limit_hit:
            done = Walk(since=max_id(pending, self.since), extra=self.extra)
            return done, keep
        return Walk(self.since, pending, next_page, count, self.extra), keep
