"""An administrator runs accounts from the shell (unlock, disable, enable, set-role,
reset-password), every change audited under the operating-system user and the ``--as`` account;
the password policy; production refuses a short secret key."""

from __future__ import annotations

import getpass
import json
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlmodel import col, select

import monitor.cli.context
import monitor.cli.main
from monitor.accounts import admin, sessions, users
from monitor.config import ConfigError, load_settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.types import utcnow
from tests.support.fakes import FakeScorer

PASSWORD = "correct horse battery staple"


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    return p


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitor.cli.context, "load_scorer", lambda obj: FakeScorer())
    monkeypatch.setattr(monitor.cli.context, "os_user", lambda: "jsmith")


def invoke(config: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(monitor.cli.main.cli, ["--config", str(config), *args],
                              input=input, catch_exceptions=False)


def _user(db: Database, name: str) -> User:
    with db.read() as s:
        found = users.get_user(s, name)
    assert found is not None
    return found


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(col(AuditEvent.id))).all())


@pytest.fixture
def people(db: Database) -> None:
    with db.write() as s:
        users.create_user(s, username="chief", role="admin", password=PASSWORD, actor="test")
        users.create_user(s, username="pc_jones", role="officer", password=PASSWORD,
                          actor="test")


def test_unlock_disable_enable_set_role_reset(config: Path, db: Database, people: None) -> None:
    with db.write() as s:
        u = s.exec(select(User).where(User.username == "pc_jones")).one()
        u.locked_until = utcnow() + timedelta(minutes=15)
        s.add(u)
    assert "locked" in invoke(config, "users", "list").output
    r = invoke(config, "--as", "chief", "users", "unlock", "pc_jones")
    assert r.exit_code == 0 and _user(db, "pc_jones").locked_until is None

    epoch = sessions.session_epoch(_user(db, "pc_jones"))
    assert invoke(config, "users", "disable", "pc_jones").exit_code == 0
    gone = _user(db, "pc_jones")
    assert gone.disabled and sessions.session_epoch(gone) == epoch + 1  # sessions ended
    assert invoke(config, "users", "enable", "pc_jones").exit_code == 0
    assert not _user(db, "pc_jones").disabled

    assert invoke(config, "users", "set-role", "pc_jones", "admin").exit_code == 0
    assert _user(db, "pc_jones").role == "admin"

    r = invoke(config, "users", "reset-password", "pc_jones")
    assert r.exit_code == 0
    new = r.output.split("new password for 'pc_jones': ")[1].split()[0]
    assert users.check_password(_user(db, "pc_jones"), new)
    assert not users.check_password(_user(db, "pc_jones"), PASSWORD)

    # Who did it: the shell user, and the desk account named with --as.
    assert [e.actor for e in _events(db, "user.unlock")] == ["chief (cli:jsmith)"]
    for action in ("user.disable", "user.enable", "user.set_role", "user.reset_password"):
        assert [e.actor for e in _events(db, action)] == ["cli:jsmith"], action
    # The audit trail never holds the password.
    with db.read() as s:
        dump = json.dumps([e.details for e in s.exec(select(AuditEvent)).all()])
    assert new not in dump


def test_mistakes_are_clear_messages(config: Path, db: Database, people: None) -> None:
    r = CliRunner().invoke(monitor.cli.main.cli,
                           ["--config", str(config), "users", "disable", "nobody"])
    assert r.exit_code == 1 and "no user named 'nobody'" in r.output
    r = CliRunner().invoke(monitor.cli.main.cli,
                           ["--config", str(config), "--as", "ghost", "users", "unlock", "chief"])
    assert r.exit_code == 1 and "--as 'ghost'" in r.output
    # The last administrator cannot be disabled or demoted: nobody could run the accounts.
    r = CliRunner().invoke(monitor.cli.main.cli,
                           ["--config", str(config), "users", "disable", "chief"])
    assert r.exit_code == 1 and "last active administrator" in r.output
    assert not _user(db, "chief").disabled


def test_cli_changes_name_the_shell_user_not_cli(config: Path, db: Database) -> None:
    r = invoke(config, "users", "add", "sgt_lee", "--role", "officer")
    assert r.exit_code == 0
    [created] = _events(db, "user.create")
    assert created.actor == "cli:jsmith"
    assert getpass.getuser()  # the real lookup works here too


def test_password_policy() -> None:
    assert users.password_problem("short") is not None
    assert users.password_problem("password1234") is not None  # on the shipped list
    assert users.password_problem("Qwertyuiop123") is not None  # case does not matter
    assert users.password_problem("aaaaaaaaaaaaaaa") is not None
    assert users.password_problem("pc_jones12345", "pc_jones") is not None
    assert users.password_problem(PASSWORD) is None
    assert len(users.common_passwords()) > 100


def test_weak_password_is_refused_on_create_and_reset(db: Database, people: None) -> None:
    with pytest.raises(users.UserError, match="common passwords"), db.write() as s:
        users.create_user(s, username="weak", role="officer", password="welcome12345",
                          actor="test")
    with pytest.raises(users.UserError, match="common passwords"), db.write() as s:
        admin.reset_password(s, username="pc_jones", actor="test", password="Password1234")


def test_production_refuses_a_short_secret_key() -> None:
    env = {"HATE_MONITOR_SERVICE_ENVIRONMENT": "production",
           "HATE_MONITOR_AUDIT_KEY": "k" * 64}  # production also needs the audit key
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings(None, env={**env, "HATE_MONITOR_SECRET_KEY": "x" * 31})
    assert load_settings(None, env={**env, "HATE_MONITOR_SECRET_KEY": "x" * 32})
