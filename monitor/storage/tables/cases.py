"""Cases: ``cases``/``case_items``, and their history, notes, contacts and reference counter.

The case history (``case_events``) is what an evidence pack carries as "who changed what, when
and why"; the audit chain records the same actions for DPA 2018 s62. Contact details of victims
and witnesses live in their own table so that no listing query can pick them up by accident.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime, utcnow


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(unique=True, index=True, max_length=32)
    title: str = ""
    status: str = "open"
    created_by: int = Field(foreign_key="users.id")
    assignee_id: int | None = Field(default=None, foreign_key="users.id")
    strands: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offences: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    cyber_enabled: bool = True
    perception: str | None = None
    crime_reference: str | None = None
    review_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CaseItem(SQLModel, table=True):
    __tablename__ = "case_items"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    queue_item_id: int = Field(foreign_key="queue_items.id", primary_key=True)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    added_by: int = Field(foreign_key="users.id")


class CaseCounter(SQLModel, table=True):
    """Last reference number issued per year; bumped with a row lock so numbers never repeat."""

    __tablename__ = "case_counters"

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class CaseEvent(SQLModel, table=True):
    """One change to a case (created, status, assignee, items, details), with who and why."""

    __tablename__ = "case_events"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int = Field(foreign_key="users.id")
    kind: str = Field(max_length=32)
    from_status: str | None = Field(default=None, max_length=32)
    to_status: str | None = Field(default=None, max_length=32)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_notes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    user_id: int = Field(foreign_key="users.id")
    body: str = Field(sa_column=Column(Text, nullable=False))


class CaseContact(SQLModel, table=True):
    """A victim or witness: only a name and one way to reach them (data minimisation)."""

    __tablename__ = "case_contacts"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    role: str = Field(max_length=16)  # victim | witness
    name: str = Field(max_length=120)
    contact: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: int = Field(foreign_key="users.id")
