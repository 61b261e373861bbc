"""CLI commands for unattended operation: ``worker``, ``retention``, ``sources history``,
``sources seed`` and ``sources health``. ``monitor.cli`` calls ``register(cli)``."""

from __future__ import annotations

import asyncio
from datetime import datetime

import click

from monitor.cli_context import CliContext
from monitor.config import ConfigError
from monitor.ops.retention import RULE, apply_retention, plan_purge
from monitor.sources.basis import SourceError
from monitor.sources.declared import seed_sources
from monitor.sources.store import get_source
from monitor.storage.types import utcnow
from monitor.sweeps.history import history, source_health


def _obj(ctx: click.Context) -> CliContext:
    obj = ctx.find_object(CliContext)
    if obj is None:  # pragma: no cover - the group always sets it
        raise click.ClickException("internal error: no CLI context")
    return obj


def _when(value: datetime | None) -> str:
    return "-" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"


@click.command("worker")
@click.pass_context
def worker_cmd(ctx: click.Context) -> None:
    """Run scheduled sweeps, retention and urgent alerts until SIGTERM/SIGINT."""
    from monitor.cli import load_scorer
    from monitor.ops.worker import worker_main

    obj = _obj(ctx)
    database = obj.database()
    scorer = load_scorer(obj)
    click.echo("worker running; stop with Ctrl-C or SIGTERM", err=True)
    try:
        asyncio.run(worker_main(obj.settings, database, scorer))
    except ConfigError as err:
        raise click.ClickException(str(err)) from err
    click.echo("worker stopped", err=True)


@click.command("retention")
@click.option("--dry-run", is_flag=True, help="Show what would be purged; change nothing.")
@click.pass_context
def retention_cmd(ctx: click.Context, dry_run: bool) -> None:
    """Purge queue items dismissed as not hate more than retention.dismissed_days ago."""
    obj = _obj(ctx)
    database = obj.database()
    days = int(obj.settings["retention.dismissed_days"])
    if dry_run:
        plan = plan_purge(database, days=days)
        click.echo(
            f"rule {RULE}: dismissed as not hate before {plan.cutoff:%Y-%m-%d %H:%M} UTC "
            f"({days} days)"
        )
        for item_id in plan.item_ids:
            click.echo(
                f"would purge item {item_id} (dismissed {_when(plan.dismissed_at[item_id])})"
            )
        click.echo(
            f"{len(plan.item_ids)} item(s) would be purged; {plan.kept_referenced} kept because "
            "a case or report refers to them (dry run: nothing changed)"
        )
        return
    plan, done = apply_retention(database, days=days)
    click.echo(
        f"purged {done.items} item(s), {done.captures} capture(s), {done.scores} score(s), "
        f"{done.decisions} decision record(s), {done.payloads} payload(s) under rule {RULE} "
        f"({days} days); {plan.kept_referenced} kept for cases or reports"
    )


@click.command("history")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
def history_cmd(ctx: click.Context, name: str, limit: int) -> None:
    """Recent sweeps of source NAME: start, end, counts, error."""
    try:
        with _obj(ctx).database().read() as session:
            src = get_source(session, name)
            runs = history(session, src.id or 0, limit=limit)
    except SourceError as err:
        raise click.ClickException(str(err)) from err
    if not runs:
        click.echo(f"{src.name}: no sweeps yet")
        return
    click.echo(
        f"{'started (UTC)':<19} {'finished':<19} {'trigger':<9} {'outcome':<8} "
        f"{'fetched':>7} {'new':>5} {'dup':>5} {'skip':>5}  error"
    )
    for r in runs:
        click.echo(
            f"{_when(r.started_at):<19} {_when(r.finished_at):<19} {r.trigger:<9} "
            f"{r.outcome:<8} {r.fetched:>7} {r.new:>5} {r.duplicate:>5} {r.skipped:>5}  "
            f"{r.error or ''}"
        )


@click.command("health")
@click.pass_context
def health_cmd(ctx: click.Context) -> None:
    """Every source's health: status, last success, last error, next run."""
    rows = source_health(_obj(ctx).database(), now=utcnow())
    if not rows:
        click.echo("no sources yet")
    for r in rows:
        click.echo(
            f"{r['name']:<24} {r['status']}\n"
            f"{'':<24} last success {_when(r['last_success'])}, "
            f"last error {_when(r['last_error_at'])}, next run {_when(r['next_run'])}"
        )


@click.command("seed")
@click.pass_context
def seed_cmd(ctx: click.Context) -> None:
    """Create or update the sources declared as [[sources]] in config.toml."""
    obj = _obj(ctx)
    try:
        lines = seed_sources(obj.database(), obj.settings)
    except (ConfigError, SourceError) as err:
        raise click.ClickException(str(err)) from err
    for line in lines or ["sources already match the configuration"]:
        click.echo(line)


def register(cli: click.Group) -> None:
    cli.add_command(worker_cmd)
    cli.add_command(retention_cmd)
    sources = cli.commands.get("sources")
    if isinstance(sources, click.Group):
        sources.add_command(history_cmd)
        sources.add_command(health_cmd)
        sources.add_command(seed_cmd)
