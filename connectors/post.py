"""The normalised post every connector and importer produces, and the pipeline consumes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Post:
    """One version of one public post, as captured.

    ``raw`` is the item exactly as the platform sent it (the JSON object's bytes, or the HTML
    fragment); ``response`` optionally carries the whole response body the item came in, so the
    evidence can show the page it was cut from.

    ``created_at_known`` is False when the platform's date could not be read: ``created_at`` is
    then the capture time (the latest the post can have been written, as for a forwarded report)
    and must be shown as "date unknown", never as the post's date; ``raw`` keeps what the
    platform wrote.
    """

    platform: str
    post_id: str
    url: str
    author_handle: str
    created_at: datetime
    text: str
    raw: bytes
    author_id: str | None = None
    language: str | None = None
    thread_id: str | None = None
    parent_id: str | None = None
    raw_content_type: str = "application/json"
    created_at_known: bool = True
    response: bytes | None = field(default=None, repr=False, compare=False)
    response_url: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.platform:
            raise ValueError("platform must not be empty")
        if not self.post_id:
            raise ValueError("post_id must not be empty")
        if self.created_at.tzinfo is None:
            raise ValueError(f"created_at of {self.platform}:{self.post_id} must be timezone-aware")
        if self.created_at.utcoffset() != UTC.utcoffset(None):
            object.__setattr__(self, "created_at", self.created_at.astimezone(UTC))

    @property
    def raw_sha256(self) -> str:
        return sha256_hex(self.raw)

    @property
    def content_sha256(self) -> str:
        """Identity of this *version*: an edit changes the text, and so this hash.

        Counters in the raw item (likes, reply counts) change on every fetch; they must not make a
        new version, so only what a reader sees is hashed.
        """
        parts = (self.platform, self.post_id, self.author_handle, self.text)
        return sha256_hex("\x1f".join(parts).encode("utf-8"))
