"""The ``hate-monitor`` command line: the root group and one ``add_command`` per command module.
Commands are thin wrappers over the library; user mistakes become ``click.ClickException`` with a
clear message, never a traceback."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError

from monitor.cli import audit, cases, model, moderators, ops, queue, sources, stats, users
from monitor.cli.context import CliContext
from monitor.config import ConfigError, load_settings
from monitor.logging_setup import configure_logging

DEFAULT_CONFIG = "config.toml"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Configuration file (default: ./{DEFAULT_CONFIG} if present, else built-in defaults).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
@click.option(
    "--as",
    "as_name",
    default=None,
    metavar="NAME",
    help="Your desk account: the audit trail names it beside your operating-system user.",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: bool, as_name: str | None) -> None:
    """Online-hate monitoring for a police cyber community support officer."""
    configure_logging(
        json=os.environ.get("HATE_MONITOR_LOG_JSON") == "1",
        level=logging.DEBUG if verbose else logging.INFO,
    )
    # Migration chatter ("Will assume non-transactional DDL") is noise on every command.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)
    if config_path is None and Path(DEFAULT_CONFIG).exists():
        config_path = Path(DEFAULT_CONFIG)
    try:
        settings = load_settings(config_path)
    except ConfigError as err:
        raise click.ClickException(str(err)) from err
    obj = CliContext(settings, as_name=as_name)
    ctx.obj = obj
    ctx.call_on_close(obj.close)


for command in (
    audit.audit_group,
    cases.cases_group,
    model.evaluate,
    model.model,
    model.train,
    moderators.moderators,
    ops.backup_cmd,
    ops.db,
    ops.restore_cmd,
    ops.retention_cmd,
    ops.serve,
    ops.worker_cmd,
    queue.import_cmd,
    queue.queue_cmd,
    sources.sources,
    sources.sweep_cmd,
    stats.stats_cmd,
    users.users,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="hate-monitor")
    except DBAPIError as err:
        # One line, never the traceback: SQLAlchemy's message quotes the statement's parameters,
        # which can be post text or personal data, and a read-only or full disk is not a bug.
        reason = str(err.orig).strip().splitlines()[0] if str(err.orig).strip() else ""
        click.echo(f"Error: the database refused the operation ({type(err.orig).__name__}: "
                   f"{reason[:200]})", err=True)
        sys.exit(1)
