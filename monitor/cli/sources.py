"""``hate-monitor sources ...`` (add, list, show, remove, enable, disable, history, health,
seed) and ``hate-monitor sweep``: thin wrappers over monitor.sources and monitor.sweeps."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import click

from connectors.registry import names_for_help
from monitor.cli import context
from monitor.cli.context import obj_of, when
from monitor.config import ConfigError
from monitor.sources.basis import (
    BasisError,
    SourceError,
    basis_warning,
    parse_basis,
    source_status,
)
from monitor.sources.declared import seed_sources
from monitor.sources.store import (
    add_source,
    get_source,
    list_sources,
    refuse_declared,
    remove_source,
    set_enabled,
)
from monitor.storage.types import utcnow
from monitor.sweeps.history import history, source_health


@click.group()
def sources() -> None:
    """Watched sources and their lawful basis."""


@sources.command("add")
@click.argument("name")
@click.option(
    "--connector",
    required=True,
    help=f"{names_for_help()}.",
)
@click.option(
    "--target",
    required=True,
    help="What to read; the grammar per connector is in the README (e.g. tag:NAME for Mastodon).",
)
@click.option("--base-url", default=None, help="Instance or API base URL.")
@click.option(
    "--option", "options", multiple=True, metavar="KEY=VALUE", help="Connector option (repeatable)."
)
@click.option("--schedule", default="interval:15m", show_default=True)
@click.option(
    "--backfill",
    "backfill_limit",
    default=200,
    show_default=True,
    type=int,
    help="Posts to fetch on the first run (0: none, only the starting point).",
)
@click.option("--include", "include_terms", multiple=True, help="Keep only posts with a term.")
@click.option("--exclude", "exclude_terms", multiple=True, help="Drop posts with a term.")
@click.option("--basis-ref", default=None, help="Authorisation or policy reference.")
@click.option("--basis-scope", default=None, help="What the authorisation covers.")
@click.option("--approved-by", default=None)
@click.option("--approved-on", default=None, help="YYYY-MM-DD")
@click.option("--expires-on", default=None, help="YYYY-MM-DD")
@click.pass_context
def sources_add(
    ctx: click.Context,
    name: str,
    connector: str,
    target: str,
    base_url: str | None,
    options: tuple[str, ...],
    schedule: str,
    backfill_limit: int,
    include_terms: tuple[str, ...],
    exclude_terms: tuple[str, ...],
    basis_ref: str | None,
    basis_scope: str | None,
    approved_by: str | None,
    approved_on: str | None,
    expires_on: str | None,
) -> None:
    """Add a watched source (it runs only once it has a valid lawful basis)."""
    opts: dict[str, Any] = {}
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--option")
        opts[key] = value
    given = {"reference": basis_ref, "scope": basis_scope, "approved_by": approved_by,
             "approved_on": approved_on, "expires_on": expires_on}
    try:
        basis = parse_basis(given)
    except BasisError as err:
        if err.missing:
            raise click.UsageError(
                "a lawful basis needs all of --basis-ref, --basis-scope, --approved-by, "
                "--approved-on and --expires-on"
            ) from err
        raise click.ClickException(str(err)) from err
    actor = obj_of(ctx).actor()
    try:
        with obj_of(ctx).database().write() as session:
            src = add_source(
                session,
                name=name,
                connector=connector,
                target=target,
                actor=actor,
                basis=basis,
                base_url=base_url,
                options=opts,
                schedule=schedule,
                backfill_limit=backfill_limit,
                include_terms=list(include_terms),
                exclude_terms=list(exclude_terms),
            )
            status = source_status(src, date.today())
    except SourceError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"added source {name!r} ({connector} {target}): {status}")


@sources.command("list")
@click.pass_context
def sources_list(ctx: click.Context) -> None:
    """List sources with their status (and why a source will not run)."""
    with obj_of(ctx).database().read() as session:
        rows = list_sources(session)
    if not rows:
        click.echo("no sources yet (hate-monitor sources add ...)")
    today = date.today()
    for s in rows:
        click.echo(f"{s.name:<24} {s.connector:<10} {s.target:<30} {source_status(s, today)}")


@sources.command("show")
@click.argument("name")
@click.pass_context
def sources_show(ctx: click.Context, name: str) -> None:
    """Everything about one source (never its credentials)."""
    try:
        with obj_of(ctx).database().read() as session:
            s = get_source(session, name)
    except SourceError as err:
        raise click.ClickException(str(err)) from err
    today = date.today()
    fields = {
        "name": s.name,
        "connector": s.connector,
        "target": s.target,
        "base_url": s.base_url,
        "options": s.options,
        "enabled": s.enabled,
        "schedule": s.schedule,
        "backfill_limit": s.backfill_limit,
        "include": s.include_terms,
        "exclude": s.exclude_terms,
        "cursor": s.cursor,
        "lawful_basis": s.basis_reference,
        "basis_scope": s.basis_scope,
        "approved_by": s.basis_approved_by,
        "approved_on": s.basis_approved_on,
        "expires_on": s.basis_expires_on,
        "status": source_status(s, today),
        "warning": basis_warning(s, today),
        "last_success": s.last_success_at,
        "last_error": s.last_error,
        "last_error_at": s.last_error_at,
    }
    for k, v in fields.items():
        click.echo(f"{k:<16} {v if v not in (None, '', [], {}) else '-'}")


@sources.command("remove")
@click.argument("name")
@click.pass_context
def sources_remove(ctx: click.Context, name: str) -> None:
    """Remove a source that never captured anything (otherwise disable it)."""
    _refuse_declared(ctx, name)
    actor = obj_of(ctx).actor()
    try:
        with obj_of(ctx).database().write() as session:
            remove_source(session, name, actor=actor)
    except SourceError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"removed source {name!r}")


@sources.command("enable")
@click.argument("name")
@click.pass_context
def sources_enable(ctx: click.Context, name: str) -> None:
    """Enable a source."""
    _toggle(ctx, name, True)


@sources.command("disable")
@click.argument("name")
@click.pass_context
def sources_disable(ctx: click.Context, name: str) -> None:
    """Disable a source (it keeps its captures and cursor)."""
    _toggle(ctx, name, False)


def _refuse_declared(ctx: click.Context, name: str) -> None:
    from monitor.sources.declared import declared_names

    try:
        refuse_declared(name, declared_names(obj_of(ctx).settings))
    except SourceError as err:
        raise click.ClickException(str(err)) from err


def _toggle(ctx: click.Context, name: str, enabled: bool) -> None:
    _refuse_declared(ctx, name)
    actor = obj_of(ctx).actor()
    try:
        with obj_of(ctx).database().write() as session:
            set_enabled(session, name, enabled, actor=actor)
    except SourceError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{'enabled' if enabled else 'disabled'} source {name!r}")


@click.command("sweep")
@click.argument("source")
@click.option("--once", is_flag=True, required=True, help="Run one sweep now and exit.")
@click.option("--force", is_flag=True, help="Ignore a rate-limit deferral.")
@click.option("--retry-skipped", is_flag=True,
              help="First read the source's \"could not read\" list again (after a parser "
                   "upgrade); what is read now is stored like any post.")
@click.pass_context
def sweep_cmd(ctx: click.Context, source: str, once: bool, force: bool,
              retry_skipped: bool) -> None:
    """Sweep SOURCE once: prints what was read, stored, duplicate, skipped (kept on the "could
    not read" list), unreadable and date unknown, and the next cursor."""
    from monitor.http_session import client_session
    from monitor.sweeps.sweep import SweepRefused, sweep_source

    obj = obj_of(ctx)
    database = obj.database()
    scorer = context.load_scorer(obj)

    async def run() -> Any:
        async with client_session(obj.settings) as http:
            return await sweep_source(
                database, scorer, http, source, settings=obj.settings, force=force,
                retry_skipped=retry_skipped,
            )

    try:
        result = asyncio.run(run())
    except (SweepRefused, SourceError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{result.source}: {result.report()}")
    for note in result.notes:
        click.echo(f"could not read: {note}")
    if result.loss():
        click.echo("the source needs attention until someone acknowledges this on its page")
    click.echo(f"next cursor: {result.cursor or '-'}")
    if result.error:
        raise click.ClickException(f"sweep stopped: {result.error}")


@sources.command("history")
@click.argument("name")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.pass_context
def history_cmd(ctx: click.Context, name: str, limit: int) -> None:
    """Recent sweeps of source NAME: start, end, counts, error."""
    try:
        with obj_of(ctx).database().read() as session:
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
            f"{when(r.started_at):<19} {when(r.finished_at):<19} {r.trigger:<9} "
            f"{r.outcome:<8} {r.fetched:>7} {r.new:>5} {r.duplicate:>5} {r.skipped:>5}  "
            f"{r.error or ''}"
        )


@sources.command("health")
@click.pass_context
def health_cmd(ctx: click.Context) -> None:
    """Every source's health: status, last success, last error, next run."""
    rows = source_health(obj_of(ctx).database(), now=utcnow())
    if not rows:
        click.echo("no sources yet")
    for r in rows:
        click.echo(
            f"{r['name']:<24} {r['status']}\n"
            + (f"{'':<24} could not read: {r['open_unreadable']} item(s) kept\n"
               if r["open_unreadable"] else "")
            + f"{'':<24} last success {when(r['last_success'])}, "
            f"last error {when(r['last_error_at'])}, next run {when(r['next_run'])}"
        )


@sources.command("seed")
@click.pass_context
def seed_cmd(ctx: click.Context) -> None:
    """Create or update the sources declared as [[sources]] in config.toml."""
    obj = obj_of(ctx)
    try:
        lines = seed_sources(obj.database(), obj.settings)
    except (ConfigError, SourceError) as err:
        raise click.ClickException(str(err)) from err
    for line in lines or ["sources already match the configuration"]:
        click.echo(line)


