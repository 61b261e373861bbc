"""Tables of the moderator intake: reports, their links to queue items, screenshots,
invitations and API tokens. Created by migration 0005.

Secrets (invitation links, API tokens) are stored only as SHA-256 of a high-entropy value: the
plain value is shown once and cannot be recovered from the database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, Text
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class Report(SQLModel, table=True):
    """One moderator's report of one post, with the post as they saw it."""

    __tablename__ = "intake_reports"

    id: int | None = Field(default=None, primary_key=True)
    reporter_id: int = Field(foreign_key="users.id", index=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    canonical_url: str = Field(max_length=2048, index=True)
    platform: str = Field(max_length=32)
    group_name: str = Field(max_length=200)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    text_as_seen: str = Field(sa_column=Column(Text, nullable=False))
    text_sha256: str = Field(max_length=64)
    # canonical: the connector fetched the post; moderator_copy: only the pasted text stands.
    capture_kind: str = Field(default="moderator_copy", max_length=16)
    fetch_note: str | None = None  # why no canonical capture (unsupported, deleted, private...)
    channel: str = Field(default="form", max_length=8)  # form | api
    api_token_id: int | None = Field(default=None, foreign_key="intake_api_tokens.id")
    # Written by the officer for the reporter; the only officer text a moderator ever sees.
    feedback_message: str | None = None
    feedback_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notified_status: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class ReportLink(SQLModel, table=True):
    """Which queue item a report fed, and whether it created the item or attached to it."""

    __tablename__ = "intake_report_links"

    report_id: int = Field(foreign_key="intake_reports.id", primary_key=True)
    queue_item_id: int = Field(foreign_key="queue_items.id", index=True)
    capture_id: int | None = Field(default=None, foreign_key="captures.id")
    relation: str = Field(default="new", max_length=16)  # new | attached
    boost: float = 0.0  # track-record boost this report asked for
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Screenshot(SQLModel, table=True):
    """A screenshot re-encoded without metadata; both hashes kept for the evidence trail."""

    __tablename__ = "intake_screenshots"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="intake_reports.id", index=True)
    content_type: str = Field(max_length=32)
    width: int
    height: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    sha256: str = Field(max_length=64, index=True)  # of the stored (re-encoded) bytes
    original_sha256: str = Field(max_length=64)  # of the upload as received
    original_size: int
    filename: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Invitation(SQLModel, table=True):
    """A one-time link with which an invited moderator chooses their username and password."""

    __tablename__ = "intake_invitations"

    id: int | None = Field(default=None, primary_key=True)
    token_sha256: str = Field(max_length=64, unique=True)
    label: str = Field(max_length=200)  # e-mail address or name, as the admin typed it
    email: str | None = Field(default=None, max_length=254)
    role: str = Field(default="moderator", max_length=16)
    created_by: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A moderator's token for a bot. ``prefix`` (the first characters) lets people tell tokens
    apart in the UI without the token being recoverable."""

    __tablename__ = "intake_api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str = Field(max_length=80)
    prefix: str = Field(max_length=16)
    token_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
