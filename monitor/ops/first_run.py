"""What happens the first time the service starts on an empty database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import select

from models.types import Scorer
from monitor.accounts.users import count_users, create_user, generate_password
from monitor.audit import chain as audit
from monitor.config import Settings
from monitor.ingest.importer import ImportSummary, import_file
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent

FIRST_ADMIN = "admin"


def ensure_admin(db: Database) -> tuple[str, str] | None:
    """Create the first administrator when there are no accounts; return (name, password)."""
    with db.write() as session:
        if count_users(session):
            return None
        password = generate_password()
        create_user(
            session, username=FIRST_ADMIN, role="admin", password=password, actor="system:first-run"
        )
        return FIRST_ADMIN, password


def load_examples_once(
    db: Database, scorer_factory: Callable[[], Scorer], settings: Settings
) -> ImportSummary | None:
    """Import the sample posts once per database (an audit event remembers that it happened)."""
    with db.read() as session:
        done = session.exec(
            select(AuditEvent.id).where(AuditEvent.action == "examples.import").limit(1)
        ).first()
    if done is not None:
        return None
    path = Path(settings["examples.path"])
    if not path.is_absolute() and settings.path is not None:
        path = settings.path.resolve().parent / path
    if not path.exists():
        return None
    summary = import_file(
        db,
        scorer_factory(),
        path,
        weights=PriorityWeights.from_settings(settings),
        actor="system:examples",
        retention_days=settings["retention.dismissed_days"],
    )
    with db.write() as session:
        audit.record(
            session,
            actor="system:first-run",
            action="examples.import",
            object_type="file",
            object_id=str(path.name),
            reason="examples.load_on_first_run is on",
            details={"new": summary.new, "rejected": summary.rejected},
        )
    return summary
