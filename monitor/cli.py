"""The ``hate-monitor`` command line. Commands are thin wrappers over the library; user mistakes
become ``click.ClickException`` with a clear message, never a traceback."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from sqlmodel import select

from connectors.registry import names_for_help
from models.types import Scorer
from monitor import audit
from monitor.cli_context import CliContext
from monitor.config import ConfigError, load_settings
from monitor.importer import import_file
from monitor.logging_setup import configure_logging
from monitor.priority import PriorityWeights
from monitor.queue_listing import open_queue
from monitor.sources import (
    Basis,
    SourceError,
    add_source,
    basis_warning,
    get_source,
    list_sources,
    remove_source,
    set_enabled,
    source_status,
)
from monitor.storage.db import DatabaseError
from monitor.storage.models import AuditEvent
from monitor.users import ROLES, UserError, create_user, generate_password

DEFAULT_CONFIG = "config.toml"


def _obj(ctx: click.Context) -> CliContext:
    obj = ctx.find_object(CliContext)
    if obj is None:  # pragma: no cover - main() always sets it
        raise click.ClickException("internal error: no CLI context")
    return obj


def load_scorer(obj: CliContext) -> Scorer:
    """The live classifier: the promoted version if the database names one, else the shipped."""
    from models.artefact import ArtefactError
    from monitor.model_registry import RegistryError, live_scorer

    try:
        return live_scorer(obj.settings, obj.database())
    except (OSError, ValueError, ArtefactError, RegistryError) as err:
        raise click.ClickException(f"cannot load the classifier: {err}") from err


def load_shadows(obj: CliContext) -> list[Scorer]:
    """Models registered as shadows score alongside the live one (never ranking the queue)."""
    from models.artefact import ArtefactError
    from monitor.model_registry import RegistryError, shadow_scorers

    try:
        return shadow_scorers(obj.database(), obj.settings)
    except (OSError, ValueError, ArtefactError, RegistryError) as err:
        raise click.ClickException(f"cannot load a shadow model: {err}") from err


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Configuration file (default: ./{DEFAULT_CONFIG} if present, else built-in defaults).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail to stderr.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: bool) -> None:
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
    obj = CliContext(settings)
    ctx.obj = obj
    ctx.call_on_close(obj.close)


# ---------------------------------------------------------------- database


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create the database or upgrade it to this version's schema."""
    obj = _obj(ctx)
    try:
        database = obj.database()
    except DatabaseError as err:
        raise click.ClickException(str(err)) from err
    from monitor.storage.db import current_revision

    click.echo(f"database at revision {current_revision(database)} ({obj.settings.database_url})")


# ---------------------------------------------------------------- import and queue


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", default=256, show_default=True, type=click.IntRange(1, 10_000))
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, batch_size: int) -> None:
    """Ingest posts from a JSON Lines FILE (schema in the README)."""
    obj = _obj(ctx)
    database = obj.database()
    scorer = load_scorer(obj)
    summary = import_file(
        database,
        scorer,
        file,
        shadows=load_shadows(obj),
        weights=PriorityWeights.from_settings(obj.settings),
        actor="cli:import",
        retention_days=obj.settings["retention.dismissed_days"],
        batch_size=batch_size,
    )
    for number, reason in summary.errors:
        click.echo(f"{file}:{number}: rejected: {reason}", err=True)
    click.echo(
        f"read {summary.read}, new {summary.new}, edited {summary.versions}, "
        f"duplicate {summary.duplicate}, rejected {summary.rejected}"
    )


@cli.command("queue")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON array of objects.")
@click.pass_context
def queue_cmd(ctx: click.Context, limit: int, as_json: bool) -> None:
    """List open queue items, highest priority first."""
    database = _obj(ctx).database()
    with database.read() as session:
        rows = open_queue(session, limit=limit)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        click.echo("the queue is empty")
        return
    click.echo(
        f"{'id':>6} {'prio':>6} {'p_hate':>6} {'strand':<18} {'severity':<14} "
        f"{'platform':<10} url / text"
    )
    for r in rows:
        strand = r.strand or ("language not supported" if not r.language_supported else "-")
        click.echo(
            f"{r.id:>6} {r.priority:>6.3f} {r.p_hate:>6.3f} {strand[:18]:<18} "
            f"{r.severity:<14} {r.platform[:10]:<10} {r.url}\n"
            f"{'':>6} {r.snippet()}"
        )


# ---------------------------------------------------------------- users


@cli.group()
def users() -> None:
    """Accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of generating one.",
)
@click.option("--email", default=None)
@click.pass_context
def users_add(
    ctx: click.Context, name: str, role: str, password_stdin: bool, email: str | None
) -> None:
    """Create an account; prints a generated password unless --password-stdin is given."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else generate_password()
    database = _obj(ctx).database()
    try:
        with database.write() as session:
            create_user(
                session, username=name, role=role, password=password, actor="cli:users", email=email
            )
    except UserError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"created {role} {name!r}")
    if not password_stdin:
        click.echo(f"password: {password}  (shown once; ask them to keep it safe)")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """List accounts."""
    from monitor.storage.models import User

    with _obj(ctx).database().read() as session:
        for u in session.exec(select(User).order_by(User.username)).all():
            state = "disabled" if u.disabled else "active"
            click.echo(f"{u.username:<24} {u.role:<10} {state}")


# ---------------------------------------------------------------- audit


@cli.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Recompute every audit event's hash and check the chain; exit 1 if it is broken."""
    with _obj(ctx).database().read() as session:
        report = audit.verify(session)
    if report.ok:
        click.echo(f"audit chain intact: {report.events} events")
        return
    raise click.ClickException(
        f"audit chain BROKEN at event {report.first_bad_id}: {report.problem} "
        f"({report.events} events checked)"
    )


@audit_group.command("tail")
@click.option("--limit", default=20, type=click.IntRange(1, 1000))
@click.pass_context
def audit_tail(ctx: click.Context, limit: int) -> None:
    """Show the most recent audit events."""
    with _obj(ctx).database().read() as session:
        rows = session.exec(
            select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)  # type: ignore[union-attr]
        ).all()
    for ev in reversed(rows):
        click.echo(
            f"{ev.id:>6} {ev.created_at:%Y-%m-%d %H:%M:%S} {ev.actor:<24} {ev.action:<16} "
            f"{ev.object_type or ''}:{ev.object_id or ''} {ev.reason or ''}"
        )


# ---------------------------------------------------------------- sources and sweeps


def _parse_date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint=name) from err


@cli.group()
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
    basis_fields = (basis_ref, basis_scope, approved_by, approved_on, expires_on)
    basis = None
    try:
        if any(basis_fields):
            if not all(basis_fields):
                raise click.UsageError(
                    "a lawful basis needs all of --basis-ref, --basis-scope, --approved-by, "
                    "--approved-on and --expires-on"
                )
            basis = Basis(
                reference=basis_ref or "",
                scope=basis_scope or "",
                approved_by=approved_by or "",
                approved_on=_parse_date(approved_on, "--approved-on") or date.min,
                expires_on=_parse_date(expires_on, "--expires-on") or date.min,
            )
        with _obj(ctx).database().write() as session:
            src = add_source(
                session,
                name=name,
                connector=connector,
                target=target,
                actor="cli:sources",
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
    with _obj(ctx).database().read() as session:
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
        with _obj(ctx).database().read() as session:
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
    try:
        with _obj(ctx).database().write() as session:
            remove_source(session, name, actor="cli:sources")
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
    from monitor.sources_seed import declared_names

    if name in declared_names(_obj(ctx).settings):
        raise click.ClickException(
            f"source {name!r} is declared in config.toml [[sources]]; change it there "
            "(the file is applied on every start)"
        )


def _toggle(ctx: click.Context, name: str, enabled: bool) -> None:
    _refuse_declared(ctx, name)
    try:
        with _obj(ctx).database().write() as session:
            set_enabled(session, name, enabled, actor="cli:sources")
    except SourceError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"{'enabled' if enabled else 'disabled'} source {name!r}")


@cli.command("sweep")
@click.argument("source")
@click.option("--once", is_flag=True, required=True, help="Run one sweep now and exit.")
@click.option("--force", is_flag=True, help="Ignore a rate-limit deferral.")
@click.pass_context
def sweep_cmd(ctx: click.Context, source: str, once: bool, force: bool) -> None:
    """Sweep SOURCE once: prints fetched / new / duplicate / skipped and the next cursor."""
    from monitor.http_session import client_session
    from monitor.sweep import SweepRefused, sweep_source

    obj = _obj(ctx)
    database = obj.database()
    scorer = load_scorer(obj)

    async def run() -> Any:
        async with client_session(obj.settings) as http:
            return await sweep_source(
                database, scorer, http, source, settings=obj.settings, force=force
            )

    try:
        result = asyncio.run(run())
    except (SweepRefused, SourceError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        f"{result.source}: fetched {result.fetched}, new {result.new}, edited {result.versions}, "
        f"duplicate {result.duplicate}, skipped {result.skipped}, filtered {result.filtered}"
    )
    click.echo(f"next cursor: {result.cursor or '-'}")
    if result.error:
        raise click.ClickException(f"sweep stopped: {result.error}")


# ---------------------------------------------------------------- operations


@cli.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_cmd(ctx: click.Context, dest: Path) -> None:
    """Online backup of the SQLite database to DEST (verified after writing)."""
    from monitor.backup import BackupError, backup

    try:
        report = backup(_obj(ctx).database(), dest, actor="cli:backup")
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"backed up to {report.path} ({report.bytes} bytes, audit chain intact: "
               f"{report.audit_events} events)")


@cli.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_cmd(ctx: click.Context, source: Path, yes: bool) -> None:
    """Replace the database with a backup (stop the service and workers first)."""
    from monitor.backup import BackupError, restore

    if not yes:
        click.confirm("Replace the live database with this backup? The current file is kept "
                      "beside it.", abort=True)
    try:
        report = restore(_obj(ctx).database(), source, actor="cli:restore")
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"restored {report.path} from {source} (audit chain intact: "
               f"{report.audit_events} events)")


# ---------------------------------------------------------------- service


@cli.command("serve")
@click.option("--host", default=None, help="Override service.host.")
@click.option("--port", default=None, type=int, help="Override service.port.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the web service (review desk, API, health check)."""
    from aiohttp import web

    from monitor.first_run import ensure_admin, load_examples_once
    from review_ui.app import create_app

    obj = _obj(ctx)
    settings = obj.settings
    database = obj.database()
    created = ensure_admin(database)
    if created is not None:
        name, password = created
        click.echo("=" * 64)
        click.echo("First start: created the administrator account")
        click.echo(f"  username: {name}\n  password: {password}")
        click.echo("Log in and keep the password safe; it is not shown again.")
        click.echo("=" * 64)
    if settings["examples.load_on_first_run"]:
        summary = load_examples_once(database, lambda: load_scorer(obj), settings)
        if summary is not None:
            click.echo(f"loaded example posts: new {summary.new}, rejected {summary.rejected}")
    h = host or settings["service.host"]
    p = port or settings["service.port"]
    click.echo(f"serving on http://{h}:{p}/  (health: http://{h}:{p}/healthz)")
    web.run_app(
        create_app(settings, db=database, scheduler=True),
        host=h,
        port=p,
        print=None,
        access_log=None,  # the request-id middleware logs requests, without query strings
    )


def _register_parts() -> None:
    """Commands that other parts of the project own, each in its own module."""
    from monitor.cli_cases import register as register_cases
    from monitor.cli_intake import register as register_intake
    from monitor.cli_model import register as register_model
    from monitor.cli_ops import register as register_ops

    register_ops(cli)
    register_model(cli)
    register_cases(cli)
    register_intake(cli)


_register_parts()


def main() -> None:
    cli(prog_name="hate-monitor")
