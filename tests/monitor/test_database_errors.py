"""A wrong database.url or a read-only database is one clear line, not a traceback (and never
the post text SQLAlchemy quotes in its messages)."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import OperationalError

import monitor.ingest.importer as importer
from monitor.cli.main import cli, main
from monitor.config import ConfigError, load_settings


@pytest.mark.parametrize("url", ["notaurl", "mysql://u@h/db", "mongodb://h/x"])
def test_unusable_database_url_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match=r"database\.url must be"):
        load_settings(None, env={"HATE_MONITOR_DATABASE_URL": url})
    result = CliRunner().invoke(cli, ["queue"], env={"HATE_MONITOR_DATABASE_URL": url})
    assert result.exit_code == 1 and "database.url must be" in result.output
    assert "Traceback" not in result.output


def test_a_refused_url_never_shows_its_password() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={"HATE_MONITOR_DATABASE_URL": "mysql://u:hunter2@db/x"})
    assert "hunter2" not in str(info.value) and "credentials hidden" in str(info.value)


def test_read_only_database_is_one_line_without_post_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'ro.db'}"
    secret = "SECRET-POST-TEXT about a named person"
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(json.dumps({
        "platform": "mastodon", "post_id": "1", "url": "https://example.social/@a/1",
        "author": "a@example.social", "created_at": "2026-11-01T12:00:00Z", "text": secret,
    }) + "\n")

    def read_only(*_: Any, **__: Any) -> Any:
        # What SQLite raises on a read-only file, with the statement's parameters attached the
        # way SQLAlchemy attaches them (the tests run as root, which file modes do not stop).
        raise OperationalError("INSERT INTO captures (text) VALUES (?)", (secret,),
                               sqlite3.OperationalError("attempt to write a readonly database"))

    monkeypatch.setattr(importer, "process_posts_sync", read_only)
    monkeypatch.setenv("HATE_MONITOR_DATABASE_URL", url)
    monkeypatch.setattr(sys, "argv", ["hate-monitor", "import", str(jsonl)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "the database refused the operation" in err and "readonly" in err
    assert secret not in err and "Traceback" not in err
