"""Links the service hands out follow the address it serves, unless service.base_url says
otherwise; a base_url that disagrees with the port served is said once at start-up."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from click.testing import CliRunner

from monitor.accounts.users import create_user
from monitor.cli.main import cli
from monitor.cli.ops import first_start_banner
from monitor.config import base_url_mismatch, load_settings, public_base_url
from monitor.logging_setup import configure_logging
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.support.fakes import FakeScorer

PASSWORD = "correct horse battery staple"


def test_base_url_follows_the_port() -> None:
    s = load_settings(None, env={"HATE_MONITOR_SERVICE_PORT": "9191"})
    assert public_base_url(s) == "http://127.0.0.1:9191"
    assert base_url_mismatch(s) is None
    s = load_settings(None, env={"HATE_MONITOR_SERVICE_HOST": "0.0.0.0"})  # noqa: S104
    assert public_base_url(s) == "http://127.0.0.1:8080"


def test_set_base_url_wins_and_a_mismatch_is_said() -> None:
    s = load_settings(None, env={"HATE_MONITOR_SERVICE_PORT": "9191",
                                 "HATE_MONITOR_SERVICE_BASE_URL": "http://127.0.0.1:8080/"})
    assert public_base_url(s) == "http://127.0.0.1:8080"
    warning = base_url_mismatch(s)
    assert warning is not None and warning.startswith("warning:") and "9191" in warning
    proxied = load_settings(None, env={"HATE_MONITOR_SERVICE_BASE_URL": "https://hm.example"})
    assert public_base_url(proxied) == "https://hm.example"
    note = base_url_mismatch(proxied)
    assert note is not None and not note.startswith("warning")


def test_example_config_leaves_base_url_unset() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    s = load_settings(example, env={"HATE_MONITOR_SERVICE_PORT": "8181"})
    assert public_base_url(s) == "http://127.0.0.1:8181"


def test_invitation_link_uses_the_port(tmp_path: Path, database_url: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    r = CliRunner().invoke(cli, ["--config", str(config), "moderators", "invite", "Sam Jones"],
                           env={"HATE_MONITOR_SERVICE_PORT": "8181"}, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "http://127.0.0.1:8181/intake/invite/" in r.output
    assert ":8080" not in r.output


async def test_openapi_and_bot_token_page_use_the_port(
    aiohttp_client: Callable[[Any], Awaitable[TestClient[Any, Any]]], db: Database,
    database_url: str, fake_scorer: FakeScorer,
) -> None:
    settings = load_settings(None, env={"HATE_MONITOR_SERVICE_PORT": "8181"}).with_overrides(
        database__url=database_url, examples__load_on_first_run=False)
    client = await aiohttp_client(create_app(settings, db=db, scorer=fake_scorer))
    doc = await (await client.get("/api/v1/openapi.json")).json()
    assert doc["servers"] == [{"url": "http://127.0.0.1:8181/api/v1"}]
    with db.write() as s:
        create_user(s, username="mod", role="moderator", password=PASSWORD, actor="test")
    from tests.support.web import login

    await login(client, "mod")
    page = await (await client.get("/intake/tokens")).text()
    assert "http://127.0.0.1:8181/api/v1" in page and ":8080" not in page


def test_first_start_password_is_framed() -> None:
    lines = first_start_banner("admin", "s3cret-pass", "http://127.0.0.1:8181")
    framed = [ln for ln in lines if ln.startswith("#")]
    assert framed[0] == framed[-1] and set(framed[0]) == {"#"}
    assert any("password: s3cret-pass" in ln for ln in framed)
    assert any("http://127.0.0.1:8181/login" in ln for ln in framed)
    assert len({len(ln) for ln in framed}) == 1  # a neat box


def test_scheduler_ticks_are_debug(capsys: pytest.CaptureFixture[str]) -> None:
    import io

    stream = io.StringIO()
    handler = configure_logging(False, stream=stream)
    try:
        tick = logging.getLogger("apscheduler.executors.default")
        tick.info('Job "sweep (trigger: interval[0:01:00])" executed successfully')
        tick.warning("Run time of job was missed by 0:00:05")
        assert "executed successfully" not in stream.getvalue()
        assert "was missed" in stream.getvalue()
        logging.getLogger().setLevel(logging.DEBUG)
        tick.info('Job "sweep" executed successfully')
        assert "DEBUG apscheduler.executors.default" in stream.getvalue()
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(logging.WARNING)
