from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor.config import REGISTRY, ConfigError, load_settings

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "config.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_without_file() -> None:
    s = load_settings(None, env={})
    assert s["service.port"] == 8080
    assert s.database_url.startswith("sqlite:///")


def test_example_config_documents_and_parses_every_setting() -> None:
    example = REPO / "config.example.toml"
    text = example.read_text(encoding="utf-8")
    for setting in REGISTRY:
        section, name = setting.key.split(".")
        block = re.search(rf"^\[{section}\]\n(.*?)(?=^\[|\Z)", text, flags=re.M | re.S)
        assert block, f"config.example.toml has no [{section}] section"
        assert re.search(rf"^#?\s*{name}\s*=", block.group(1), flags=re.M), (
            f"config.example.toml does not document {setting.key}"
        )
    load_settings(example, env={})


def test_relative_sqlite_path_is_next_to_the_config(tmp_path: Path) -> None:
    p = write(tmp_path, '[database]\nurl = "sqlite:///data/x.db"\n')
    assert load_settings(p, env={}).database_url == f"sqlite:///{tmp_path / 'data/x.db'}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[service]\nport = 'eighty'\n", "service.port must be an integer, got 'eighty'"),
        ("[service]\nport = 70000\n", "service.port must be a port number"),
        ("[service]\nprot = 1\n", "unknown setting 'service.prot'"),
        ("[service\nport = 1\n", "not valid TOML"),
        ("[priority]\nweight_hate = 2\n", "priority.weight_hate must be a number between 0 and 1"),
        ("[model]\nstrands = []\n", "model.strands must be a non-empty list"),
    ],
)
def test_bad_file_names_file_key_and_expectation(tmp_path: Path, text: str, expected: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(p, env={})
    assert str(p) in str(info.value)
    assert expected in str(info.value)


def test_missing_file_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config\.example\.toml"):
        load_settings(tmp_path / "nope.toml", env={})


def test_environment_overrides_file(tmp_path: Path) -> None:
    p = write(tmp_path, '[database]\nurl = "sqlite:////tmp/a.db"\n')
    s = load_settings(p, env={"HATE_MONITOR_DATABASE_URL": "postgresql://u@h/db",
                              "HATE_MONITOR_SERVICE_PORT": "9090"})
    assert s.database_url == "postgresql://u@h/db"
    assert s["service.port"] == 9090


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="environment HATE_MONITOR_SERVICE_PORT"):
        load_settings(None, env={"HATE_MONITOR_SERVICE_PORT": "x"})


def test_production_refuses_default_secret(tmp_path: Path) -> None:
    p = write(tmp_path, '[service]\nenvironment = "production"\n')
    with pytest.raises(ConfigError, match="secret_key"):
        load_settings(p, env={})
    ok = load_settings(p, env={"HATE_MONITOR_SECRET_KEY": "x" * 40,
                               "HATE_MONITOR_AUDIT_KEY": "k" * 32})
    assert ok["service.secret_key"] == "x" * 40


def test_intake_section_is_accepted(tmp_path: Path) -> None:
    p = write(tmp_path, '[intake]\nfetch_hosts = ["forum.example.org"]\n')
    assert load_settings(p, env={}).extra["intake"]["fetch_hosts"] == ["forum.example.org"]
