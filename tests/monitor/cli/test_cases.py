"""The cases and stats commands, on a group of their own (the lead wires them into the CLI)."""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from monitor.cli.cases import cases_group
from monitor.cli.context import CliContext
from monitor.cli.stats import stats_cmd
from monitor.config import Settings
from monitor.storage.db import Database
from tests.support.cases import World


@pytest.fixture
def group() -> click.Group:
    @click.group()
    def root() -> None:
        pass

    root.add_command(cases_group)
    root.add_command(stats_cmd)
    return root


def run(group: click.Group, settings: Settings, *args: str) -> Result:
    obj = CliContext(settings)
    try:
        return CliRunner().invoke(group, list(args), obj=obj, catch_exceptions=False)
    finally:
        obj.close()


def test_list_show_export_verify(
    group: click.Group, settings: Settings, db: Database, world: World, tmp_path: Path
) -> None:
    ref = world.case_refs[0]
    listing = run(group, settings, "cases", "list")
    assert listing.exit_code == 0 and ref in listing.output and world.case_refs[1] in listing.output
    shown = run(group, settings, "cases", "show", ref)
    assert "CR/9/26" in shown.output and "crime_recorded" in shown.output
    out = tmp_path / "pack.zip"
    r = run(group, settings, "cases", "export", ref, "--out", str(out), "--justification",
            "charging decision", "--recipient", "CPS", "--user", "officer1")
    assert r.exit_code == 0, r.output
    assert "disclosure recorded" in r.output
    ok = run(group, settings, "cases", "verify-pack", str(out))
    assert ok.exit_code == 0 and ok.output.startswith("OK")
    assert hashlib.sha256(out.read_bytes()).hexdigest() in ok.output
    again = run(group, settings, "cases", "export", ref, "--out", str(out), "--justification",
                "x", "--recipient", "y", "--user", "officer1")
    assert again.exit_code == 1 and "already exists" in again.output
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(out) as zin, zipfile.ZipFile(bad, "w") as zout:
        for n in zin.namelist():
            zout.writestr(n, zin.read(n) + (b"x" if n == "report.html" else b""))
    failed = run(group, settings, "cases", "verify-pack", str(bad))
    assert failed.exit_code == 1 and "report.html" in failed.output


def test_user_mistakes_are_clear(
    group: click.Group, settings: Settings, db: Database, world: World, tmp_path: Path
) -> None:
    out = str(tmp_path / "p.zip")
    r = run(group, settings, "cases", "show", "HM-1999-000001")
    assert r.exit_code == 1 and "no case" in r.output
    r = run(group, settings, "cases", "export", world.case_refs[0], "--out", out,
            "--justification", "x", "--recipient", "y", "--user", "mod1")
    assert r.exit_code == 1 and "may not work cases" in r.output
    r = run(group, settings, "cases", "export", world.case_refs[0], "--out", out,
            "--justification", " ", "--recipient", "y", "--user", "officer1")
    assert r.exit_code == 1 and "justification" in r.output
    assert not Path(out).exists()


def test_stats_csv(group: click.Group, settings: Settings, db: Database, world: World) -> None:
    r = run(group, settings, "stats", "--csv")
    rows = {(a, b): c for a, b, c in csv.reader(io.StringIO(r.output))}
    assert rows[("totals", "items")] == "6"
    assert rows[("decisions_by_outcome", "possible_crime")] == "2"
    text = run(group, settings, "stats")
    assert "items 6, decisions 4, cases 2" in text.output
    bad = run(group, settings, "stats", "--since", "yesterday")
    assert bad.exit_code == 1 and "--since" in bad.output
