"""Retention: dry run, real run, what is kept (cases, recent, hate, undone), content-free audit."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import func, select

import monitor.cli.context
from connectors.post import Post
from monitor.audit import chain as audit
from monitor.cli.main import cli
from monitor.ingest.pipeline import process_posts
from monitor.ops.retention import apply_retention, plan_purge
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.cases import Case, CaseItem
from monitor.storage.tables.evidence import Capture, Payload, Score
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow
from tests.support.fakes import FakeScorer, make_post

NOW = utcnow()
OLD = NOW - timedelta(days=45)
RECENT = NOW - timedelta(days=3)


def with_payload(post: Post, body: bytes) -> Post:
    from dataclasses import replace

    return replace(post, response=body, response_url="https://example.social/api/page")


async def seed(db: Database) -> dict[str, int]:
    """Six posts, each decided differently; the first two share a raw page payload."""
    shared = b'{"page": "shared"}'
    posts = [
        with_payload(make_post(1, "old dismissed"), shared),
        with_payload(make_post(2, "old dismissed, on a case"), shared),
        make_post(3, "recently dismissed"),
        make_post(4, "old but hate"),
        make_post(5, "old dismissed then undone"),
        make_post(6, "never decided"),
    ]
    batch = await process_posts(
        db, FakeScorer(), posts, weights=PriorityWeights(), origin="sweep", actor="t"
    )
    # An edited version of post 1: its second capture must go too.
    await process_posts(
        db,
        FakeScorer(),
        [make_post(1, "old dismissed (edited)")],
        weights=PriorityWeights(),
        origin="sweep",
        actor="t",
    )
    ids = dict(
        zip(["old", "case", "recent", "hate", "undone", "open"], batch.queue_item_ids, strict=True)
    )
    with db.write() as s:
        user = User(username="cso", role="officer", password_hash="x")
        s.add(user)
        s.flush()

        def decide(key: str, outcome: str, at: datetime, undone: bool = False) -> None:
            item = s.get(QueueItem, ids[key])
            assert item is not None
            s.add(
                Decision(
                    queue_item_id=item.id or 0,
                    capture_id=item.capture_id,
                    user_id=user.id or 0,
                    outcome=outcome,
                    rationale="quotes the post",
                    created_at=at,
                    undone_at=at + timedelta(seconds=5) if undone else None,
                )
            )
            item.status = "open" if undone else "decided"
            s.add(item)

        decide("old", "not_hate", OLD)
        decide("case", "not_hate", OLD)
        decide("recent", "not_hate", RECENT)
        decide("hate", "hate_intelligence", OLD)
        decide("undone", "not_hate", OLD, undone=True)
        case = Case(reference="HM-1", created_by=user.id or 0)
        s.add(case)
        s.flush()
        s.add(CaseItem(case_id=case.id or 0, queue_item_id=ids["case"], added_by=user.id or 0))
    return ids


def count(db: Database, model: type) -> int:
    with db.read() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


async def test_dry_run_changes_nothing(db: Database) -> None:
    ids = await seed(db)
    before = [count(db, m) for m in (QueueItem, Capture, Score, Decision, Payload, AuditEvent)]
    plan = plan_purge(db, days=30)
    assert plan.item_ids == [ids["old"]] and plan.kept_referenced == 1
    after = [count(db, m) for m in (QueueItem, Capture, Score, Decision, Payload, AuditEvent)]
    assert before == after


async def test_real_run_purges_only_what_the_rule_allows(db: Database) -> None:
    ids = await seed(db)
    plan, done = apply_retention(db, days=30)
    assert plan.item_ids == [ids["old"]]
    assert (done.items, done.captures, done.scores, done.decisions) == (1, 2, 2, 1)
    assert done.payloads == 0  # the shared page is still the case item's evidence
    with db.read() as s:
        left = set(s.exec(select(QueueItem.id)).all())
        assert left == {ids[k] for k in ("case", "recent", "hate", "undone", "open")}
        assert not s.exec(select(Capture).where(Capture.post_id == "1")).all()
        assert s.exec(select(Capture).where(Capture.post_id == "2")).one()
        assert count(db, Payload) == 1
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "retention.purge")).one()
        assert audit.verify(s).ok
    assert ev.details["queue_item_ids"] == [ids["old"]] and len(ev.details["capture_ids"]) == 2
    assert ev.details["rule"] == "dismissed_not_hate" and ev.details["days"] == 30
    dumped = json.dumps(ev.details) + (ev.reason or "")
    assert "old dismissed" not in dumped and "example.social" not in dumped
    # Idempotent: a second run finds nothing more.
    assert apply_retention(db, days=30)[1].items == 0


async def test_shared_payload_goes_with_its_last_capture(db: Database) -> None:
    ids = await seed(db)
    with db.write() as s:
        link = s.exec(select(CaseItem).where(CaseItem.queue_item_id == ids["case"])).one()
        s.delete(link)  # the case no longer holds it
    _, done = apply_retention(db, days=30)
    assert done.items == 2 and done.payloads == 1 and count(db, Payload) == 0


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(
        f'[database]\nurl = "{database_url}"\n[retention]\ndismissed_days = 30\n', encoding="utf-8"
    )
    return p


async def test_retention_cli_dry_run_and_real_run(
    db: Database, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await seed(db)
    monkeypatch.setattr(monitor.cli.context, "load_scorer", lambda obj: FakeScorer())
    runner = CliRunner()
    dry = runner.invoke(cli, ["--config", str(config), "retention", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert (
        f"would purge item {ids['old']}" in dry.output and "1 item(s) would be purged" in dry.output
    )
    assert count(db, QueueItem) == 6
    real = runner.invoke(cli, ["--config", str(config), "retention"])
    assert real.exit_code == 0, real.output
    assert "purged 1 item(s), 2 capture(s)" in real.output and count(db, QueueItem) == 5


async def test_any_table_referring_to_a_capture_protects_its_item(db: Database) -> None:
    """A table added later (a report link, an export) keeps its evidence without code here."""
    ids = await seed(db)
    with db.write() as s:
        item = s.get(QueueItem, ids["old"])
        assert item is not None
        s.execute(
            text(
                "CREATE TABLE later_links (id INTEGER PRIMARY KEY, "
                "capture_id INTEGER REFERENCES captures(id))"
            )
        )
        s.execute(
            text("INSERT INTO later_links (id, capture_id) VALUES (1, :c)"), {"c": item.capture_id}
        )
    plan, done = apply_retention(db, days=30)
    assert plan.item_ids == [] and plan.kept_referenced == 2 and done.items == 0
