"""The keyed audit chain and its seals: a cut-off end or a whole rewrite is caught, old unkeyed
chains keep verifying, and the append-only triggers come back on upgrade (SQLite and
PostgreSQL), while a backup without them is not restored."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import col, select

from monitor.audit import chain as audit
from monitor.audit.seal import check_seals, head, parse_seals
from monitor.cli.main import cli
from monitor.storage.db import Database, ensure_audit_triggers, missing_audit_triggers
from monitor.storage.tables.ops import AuditEvent

KEY = "k" * 64


def add_events(db: Database, n: int) -> None:
    for i in range(n):
        with db.write() as s:
            audit.record(s, actor="t", action="view", object_type="item", object_id=i,
                         reason=f"event {i}")


def drop_triggers(db: Database) -> None:
    with db.writer.begin() as conn:
        if db.dialect == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_events_append_only ON audit_events")


def events(db: Database) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


def rewrite_from(db: Database, first_id: int, *, key_id: str | None) -> None:
    """What an attacker with database access does: edit an event, recompute every later hash
    (plain SHA-256: the attacker does not have the key)."""
    prev = audit.GENESIS
    with db.write() as s:
        for ev in s.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all():
            if (ev.id or 0) >= first_id:
                if ev.id == first_id:
                    ev.reason = "nothing to see"
                ev.prev_hash = prev
                ev.key_id = key_id
                body = audit._canonical(
                    prev_hash=ev.prev_hash, created_at=ev.created_at, actor=ev.actor,
                    action=ev.action, object_type=ev.object_type, object_id=ev.object_id,
                    reason=ev.reason, details=ev.details, key_id=key_id)
                ev.hash = hashlib.sha256(body).hexdigest()
                s.add(ev)
                s.flush()
            prev = ev.hash


def test_truncation_passes_the_chain_but_not_the_seal(db: Database) -> None:
    add_events(db, 30)
    with db.read() as s:
        sealed = head(s)
    assert sealed is not None
    drop_triggers(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE id > :n"), {"n": sealed.event_id - 10})
    with db.read() as s:
        report = audit.verify(s)
        assert report.ok, "a cut-off end is invisible to the chain alone"
        problems = check_seals(s, [sealed], report)
    assert problems and "is gone" in problems[0]


def test_rewrite_is_caught_by_the_key(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(audit.KEY_ENV, KEY)
    add_events(db, 20)
    assert all(ev.key_id for ev in events(db))
    drop_triggers(db)
    rewrite_from(db, 10, key_id=None)
    with db.read() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_bad_id == 10
    # Keeping the key id but not knowing the key does no better.
    key_id = events(db)[0].key_id
    rewrite_from(db, 10, key_id=key_id)
    with db.read() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_bad_id == 10


def test_a_rewrite_from_the_first_event_is_caught_by_a_seal(db: Database) -> None:
    add_events(db, 20)
    with db.read() as s:
        sealed = head(s)
    assert sealed is not None
    drop_triggers(db)
    rewrite_from(db, 10, key_id=None)  # unkeyed chain: recomputing makes it verify again
    with db.read() as s:
        report = audit.verify(s)
        assert report.ok
        problems = check_seals(s, [sealed], report)
    assert problems and "has changed" in problems[0]


def test_unkeyed_events_keep_verifying_after_a_key_is_set(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_events(db, 5)
    monkeypatch.setenv(audit.KEY_ENV, KEY)
    add_events(db, 5)
    with db.read() as s:
        report = audit.verify(s)
    assert report.ok and report.events == 10 and report.keyed == 5
    # A different key cannot check the keyed events, and says which key it needs.
    monkeypatch.setenv(audit.KEY_ENV, "o" * 64)
    with db.read() as s:
        report = audit.verify(s)
    assert not report.ok and report.first_bad_id == 6 and "audit key" in (report.problem or "")
    # Losing the key must not silently start an unkeyed tail.
    monkeypatch.delenv(audit.KEY_ENV)
    with pytest.raises(audit.AuditKeyError, match="keyed"), db.write() as s:
        audit.record(s, actor="t", action="view")


def test_the_key_never_appears_in_its_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(audit.KEY_ENV, KEY)
    key = audit.audit_key()
    assert key is not None and KEY not in repr(key) and KEY not in str(key)
    monkeypatch.setenv(audit.KEY_ENV, "short")
    with pytest.raises(audit.AuditKeyError, match="too short"):
        audit.audit_key()


def test_upgrade_recreates_dropped_triggers(db: Database) -> None:
    drop_triggers(db)
    with db.writer.connect() as conn:
        assert missing_audit_triggers(conn)
    db.upgrade()
    with db.writer.connect() as conn:
        assert missing_audit_triggers(conn) == []
    assert ensure_audit_triggers(db) == []
    add_events(db, 1)
    with pytest.raises(Exception, match="append-only"), db.write() as s:
        s.execute(text("DELETE FROM audit_events"))


def test_cli_seal_then_verify_with_the_seal(tmp_path: Path, database_url: str) -> None:
    env = {"HATE_MONITOR_DATABASE_URL": database_url, audit.KEY_ENV: KEY}
    runner = CliRunner()
    seals = tmp_path / "seals.jsonl"
    first = runner.invoke(cli, ["audit", "seal", "--file", str(seals)], env=env)
    assert first.exit_code == 0, first.output
    assert "audit head: event 1, hash " in first.output
    second = runner.invoke(cli, ["audit", "seal", "--file", str(seals)], env=env)
    assert second.exit_code == 0, second.output
    assert len(parse_seals(seals.read_text(), "seals")) == 2  # appended, not rewritten
    ok = runner.invoke(cli, ["audit", "verify", "--seal", str(seals)], env=env)
    assert ok.exit_code == 0 and "2 seal(s) hold" in ok.output, ok.output
    assert KEY not in ok.output + first.output
    db = Database(database_url)
    drop_triggers(db)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE id = 2"))
    db.dispose()
    bad = runner.invoke(cli, ["audit", "verify", "--seal", str(seals)], env=env)
    assert bad.exit_code == 1 and "event 2" in bad.output and "is gone" in bad.output
    notaseal = tmp_path / "x.jsonl"
    notaseal.write_text("hello\n")
    worse = runner.invoke(cli, ["audit", "verify", "--seal", str(notaseal)], env=env)
    assert worse.exit_code == 1 and "not a seal" in worse.output
    assert "Traceback" not in worse.output


def test_restore_refuses_a_backup_without_triggers(tmp_path: Path) -> None:
    from monitor.ops.backup import BackupError, backup, restore

    db = Database(f"sqlite:///{tmp_path / 'live.db'}")
    db.upgrade()
    add_events(db, 3)
    backup(db, tmp_path / "bk.db", actor="t")
    bk = Database(f"sqlite:///{tmp_path / 'bk.db'}")
    drop_triggers(bk)
    bk.dispose()
    with pytest.raises(BackupError, match="append-only trigger"):
        restore(db, tmp_path / "bk.db", actor="t")
    db.dispose()


def test_evidence_pack_carries_the_head(tmp_path: Path) -> None:
    # The pack's audit_head.json is a seal in the same format `audit verify --seal` reads.
    from monitor.cases.evidence_pack import verify_pack

    pack = _a_pack(tmp_path)
    assert verify_pack(pack) == []
    with zipfile.ZipFile(pack) as zf:
        seals = parse_seals(zf.read("audit_head.json").decode(), "audit_head.json")
    assert len(seals) == 1 and seals[0].event_id >= 1


def _a_pack(tmp_path: Path) -> Path:
    from monitor.cases import lifecycle as cases
    from monitor.cases.evidence_pack import export_pack
    from monitor.ingest.pipeline import process_posts_sync
    from monitor.review.priority import PriorityWeights
    from monitor.storage.tables.accounts import User
    from tests.support.fakes import FakeScorer, make_post

    db = Database(f"sqlite:///{tmp_path / 'pack.db'}")
    db.upgrade()
    ids = process_posts_sync(db, FakeScorer(), [make_post(1, "immigrants are vermin")],
                             weights=PriorityWeights(), origin="import",
                             actor="t").queue_item_ids
    with db.write() as s:
        officer = User(username="o1", role="officer", password_hash="x", display_name="o1")
        s.add(officer)
        s.flush()
        case = cases.create_case(s, actor=officer, item_ids=ids, reason="threat",
                                 allowed_strands=["race"], case_years=6)
        reference = case.reference
    out = tmp_path / "pack.zip"
    export_pack(db, actor=officer, reference=reference, justification="for CPS",
                recipient="CPS", out=out)
    db.dispose()
    return out
