from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import monitor.cli.context
from monitor.classifier import versions as reg
from monitor.cli.main import cli
from tests.support.fakes import FakeScorer


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    return p


@pytest.fixture(autouse=True)
def fake_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(monitor.cli.context, "load_scorer", lambda obj: FakeScorer())


def invoke(config: Path, *args: str, input: str | None = None) -> object:
    return CliRunner().invoke(cli, ["--config", str(config), *args], input=input,
                              catch_exceptions=False)


def jsonl(tmp_path: Path) -> Path:
    rows = [
        {"platform": "mastodon", "post_id": "1", "url": "https://m.example/@a/1",
         "author": "a@m.example", "created_at": "2026-11-01T10:00:00Z",
         "text": "nice day at the market"},
        {"platform": "mastodon", "post_id": "2", "url": "https://m.example/@b/2",
         "author": "b@m.example", "created_at": "2026-11-01T11:00:00+01:00",
         "text": "kill the immigrants, hate them " + "x" * 120},
    ]
    f = tmp_path / "posts.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    return f


def test_import_then_queue(tmp_path: Path, config: Path) -> None:
    f = jsonl(tmp_path)
    r = invoke(config, "import", str(f))
    assert r.exit_code == 0  # type: ignore[attr-defined]
    assert "read 3, new 2, edited 0, duplicate 0, rejected 1" in r.output  # type: ignore[attr-defined]
    assert f"{f}:3: rejected: not valid JSON" in r.output  # type: ignore[attr-defined]
    again = invoke(config, "import", str(f))
    assert "new 0, edited 0, duplicate 2" in again.output  # type: ignore[attr-defined]

    table = invoke(config, "queue", "--limit", "5")
    lines = table.output.splitlines()  # type: ignore[attr-defined]
    assert "https://m.example/@b/2" in lines[1]
    assert len(lines[2].strip()) <= 80 and lines[2].strip().endswith("…")

    out = json.loads(invoke(config, "queue", "--json").output)  # type: ignore[attr-defined]
    assert [o["post_id"] for o in out] == ["2", "1"]
    assert set(out[0]) >= {"id", "priority", "p_hate", "strand", "severity", "platform", "url",
                           "text", "post_id"}
    assert out[0]["severity"] == "threat" and out[0]["text"].endswith("x" * 120)


def test_users_and_audit_verify(config: Path) -> None:
    r = invoke(config, "users", "add", "officer1", "--role", "officer")
    assert r.exit_code == 0 and "password: " in r.output  # type: ignore[attr-defined]
    dup = CliRunner().invoke(cli, ["--config", str(config), "users", "add", "officer1",
                                   "--role", "officer"])
    assert dup.exit_code == 1 and "already exists" in dup.output
    short = CliRunner().invoke(cli, ["--config", str(config), "users", "add", "x2", "--role",
                                     "admin", "--password-stdin"], input="short\n")
    assert "at least 12 characters" in short.output
    listing = invoke(config, "users", "list")
    assert "officer1" in listing.output  # type: ignore[attr-defined]
    v = invoke(config, "audit", "verify")
    assert "audit chain intact: 1 events" in v.output  # type: ignore[attr-defined]


def test_sources_cli(config: Path) -> None:
    r = invoke(config, "sources", "add", "town", "--connector", "mastodon", "--target",
               "tag:newport", "--base-url", "https://mastodon.example")
    assert "will not run: no lawful basis recorded" in r.output  # type: ignore[attr-defined]
    r = invoke(config, "sources", "add", "town2", "--connector", "rss", "--target",
               "https://news.example/feed", "--basis-ref", "POL-7", "--basis-scope", "news",
               "--approved-by", "Insp. A", "--approved-on", "2026-01-01",
               "--expires-on", "2099-01-01", "--include", "Newport")
    assert ": ok" in r.output  # type: ignore[attr-defined]
    listing = invoke(config, "sources", "list").output  # type: ignore[attr-defined]
    assert "town " in listing and "town2" in listing
    shown = invoke(config, "sources", "show", "town2").output  # type: ignore[attr-defined]
    assert "POL-7" in shown and "Newport" in shown
    half = CliRunner().invoke(cli, ["--config", str(config), "sources", "add", "x",
                                    "--connector", "rss", "--target", "u", "--basis-ref", "R"])
    assert half.exit_code != 0 and "needs all of" in half.output
    refused = CliRunner().invoke(cli, ["--config", str(config), "sweep", "town", "--once"])
    assert refused.exit_code == 1 and "no lawful basis" in refused.output
    assert "removed" in invoke(config, "sources", "remove", "town").output  # type: ignore[attr-defined]


def test_bad_config_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.toml"
    p.write_text("[service]\nport = 'x'\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["--config", str(p), "db", "upgrade"])
    assert r.exit_code == 1
    assert f"{p}: service.port must be an integer" in r.output
    assert "Traceback" not in r.output


def test_db_upgrade(config: Path) -> None:
    from monitor.storage.db import head_revisions

    r = invoke(config, "db", "upgrade")
    assert f"database at revision {'+'.join(head_revisions())} " in r.output  # type: ignore[attr-defined]


def test_sources_declared_in_the_config_file_are_changed_there(tmp_path: Path,
                                                               database_url: str) -> None:
    p = tmp_path / "config.toml"
    p.write_text(
        f'[database]\nurl = "{database_url}"\n\n'
        '[[sources]]\nname = "town-tag"\nconnector = "mastodon"\ntarget = "tag:town"\n',
        encoding="utf-8",
    )
    for verb in ("disable", "enable", "remove"):
        r = CliRunner().invoke(cli, ["--config", str(p), "sources", verb, "town-tag"])
        assert r.exit_code == 1 and "declared in config.toml" in r.output, verb


def test_model_rescore_after_the_live_model_changes(tmp_path: Path, config: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reg, "live_version", lambda settings, db: "fake-1")
    invoke(config, "import", str(jsonl(tmp_path)))
    listed = invoke(config, "model", "list").output  # type: ignore[attr-defined]
    assert "open queue ranked by: fake-1 (2 items)" in listed and "rescore" not in listed
    # An upgrade ships a new default model.
    monkeypatch.setattr(monitor.cli.context, "load_scorer", lambda obj: FakeScorer("fake-2"))
    monkeypatch.setattr(reg, "live_version", lambda settings, db: "fake-2")
    newer = tmp_path / "newer.jsonl"
    newer.write_text(json.dumps({
        "platform": "mastodon", "post_id": "3", "url": "https://m.example/@c/3",
        "author": "c@m.example", "created_at": "2026-11-02T10:00:00Z",
        "text": "bins late again"}) + "\n", encoding="utf-8")
    invoke(config, "import", str(newer))  # scored by the new model; the old items are not
    listed = invoke(config, "model", "list").output  # type: ignore[attr-defined]
    assert "fake-1 (2 items), fake-2 (1 item)" in listed
    assert "the live model is fake-2; 'hate-monitor model rescore'" in listed
    out = invoke(config, "model", "rescore").output  # type: ignore[attr-defined]
    assert "2 open queue items re-scored with fake-2" in out
    again = invoke(config, "model", "rescore").output  # type: ignore[attr-defined]
    assert "every open queue item is already scored by fake-2" in again
    listed = invoke(config, "model", "list").output  # type: ignore[attr-defined]
    assert "open queue ranked by: fake-2 (3 items)" in listed and "rescore" not in listed
