"""Every table, one module per noun. Importing this package puts them all on
``SQLModel.metadata`` (migrations/env.py and the schema tests rely on that)."""

from monitor.storage.tables import (
    accounts,
    cases,
    evidence,
    ops,
    reports,
    review,
    sources,
    unreadable,
)

__all__ = [
    "accounts", "cases", "evidence", "ops", "reports", "review", "sources", "unreadable",
]
