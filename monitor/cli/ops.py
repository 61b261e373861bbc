"""Running the service: ``serve``, ``worker``, ``retention``, ``db upgrade``, ``backup``,
``restore``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import click

from models.types import Scorer
from monitor.cli import context
from monitor.cli.context import obj_of, when
from monitor.config import ConfigError, base_url_mismatch, served_url
from monitor.ops.retention import RULE, apply_retention, plan_purge
from monitor.storage.db import DatabaseError


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Create the database or upgrade it to this version's schema."""
    obj = obj_of(ctx)
    try:
        database = obj.database()
    except DatabaseError as err:
        raise click.ClickException(str(err)) from err
    from monitor.storage.db import current_revision

    click.echo(f"database at revision {current_revision(database)} ({obj.settings.database_url})")


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_cmd(ctx: click.Context, dest: Path) -> None:
    """Online backup of the SQLite database to DEST (verified after writing)."""
    from monitor.ops.backup import BackupError, backup

    try:
        report = backup(obj_of(ctx).database(), dest, actor=obj_of(ctx).actor())
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"backed up to {report.path} ({report.bytes} bytes, audit chain intact: "
               f"{report.audit_events} events)")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def restore_cmd(ctx: click.Context, source: Path, yes: bool) -> None:
    """Replace the database with a backup; refused while the service or a worker runs."""
    from monitor.ops.backup import BackupError, restore
    from monitor.storage.db import Database

    if not yes:
        click.confirm("Replace the live database with this backup? The current file is kept "
                      "beside it.", abort=True)
    try:
        # Not obj.database(): that takes the shared lock this command needs exclusively, and
        # upgrading the schema of a database about to be replaced is wasted work.
        database = Database(obj_of(ctx).settings.database_url)
        report = restore(database, source,
                         actor=obj_of(ctx).actor(database))
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"restored {report.path} from {source} (audit chain intact: "
               f"{report.audit_events} events)")


@click.command("serve")
@click.option("--host", default=None, help="Override service.host.")
@click.option("--port", default=None, type=int, help="Override service.port.")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Run the web service (review desk, API, health check)."""
    from aiohttp import web

    from monitor.ops.first_run import ensure_admin, load_examples_once
    from review_ui import keys
    from review_ui.app import create_app

    obj = obj_of(ctx)
    # --host/--port become the settings everything else reads, so links derived from the
    # address served (service.base_url unset) follow them.
    overrides: dict[str, object] = {}
    if host:
        overrides["service__host"] = host
    if port:
        overrides["service__port"] = port
    settings = obj.settings.with_overrides(**overrides) if overrides else obj.settings
    database = obj.database()
    created = ensure_admin(database)
    # The model is loaded at most once: for the example posts here, then handed to the app.
    loaded: list[Scorer] = []

    def scorer() -> Scorer:
        if not loaded:
            loaded.append(context.load_scorer(obj))
        return loaded[0]

    if settings["examples.load_on_first_run"]:
        summary = load_examples_once(database, scorer, settings)
        if summary is not None:
            click.echo(f"loaded example posts: new {summary.new}, rejected {summary.rejected}")
    h, p = str(settings["service.host"]), int(settings["service.port"])
    served = served_url(h, p)
    notice = base_url_mismatch(settings)
    app = create_app(settings, db=database, scheduler=True, scorer=loaded[0] if loaded else None)

    async def announce() -> None:
        # The last thing start-up prints: the one-time password must not scroll away among log
        # lines, so wait (briefly) for the scheduler's own start-up line first.
        for _ in range(400):
            if (not settings["scheduler.enabled"] or keys.SCHEDULER in app
                    or app[keys.MODEL].error is not None):
                break
            await asyncio.sleep(0.1)
        click.echo(f"serving on {served}/  (health: {served}/healthz)")
        if notice:
            click.echo(notice, err=True)
        if created is not None:
            name, password = created
            click.echo("\n".join(first_start_banner(name, password, served)))

    async def announce_ctx(_app: web.Application) -> AsyncIterator[None]:
        # After create_app's own startup contexts, so the model and scheduler are under way.
        task = asyncio.create_task(announce())
        yield
        task.cancel()

    app.cleanup_ctx.append(announce_ctx)
    web.run_app(
        app,
        host=h,
        port=p,
        print=None,
        access_log=None,  # the request-id middleware logs requests, without query strings
        # Open keep-alive connections (a browser tab) must not hold SIGTERM for a minute.
        shutdown_timeout=2.0,
    )


def first_start_banner(name: str, password: str, url: str) -> list[str]:
    """The administrator's one-time password, framed so it stands out from log lines."""
    body = [
        "First start: created the administrator account",
        f"  username: {name}",
        f"  password: {password}",
        f"  log in at {url}/login",
        "Keep the password safe; it is not shown again.",
    ]
    width = max(len(line) for line in body) + 4
    return ["", "#" * width, *(f"# {line.ljust(width - 4)} #" for line in body), "#" * width, ""]


@click.command("worker")
@click.pass_context
def worker_cmd(ctx: click.Context) -> None:
    """Run scheduled sweeps, retention and urgent alerts until SIGTERM/SIGINT."""
    from monitor.ops.worker import worker_main

    obj = obj_of(ctx)
    database = obj.database()
    scorer = context.load_scorer(obj)
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
    obj = obj_of(ctx)
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
                f"would purge item {item_id} (dismissed {when(plan.dismissed_at[item_id])})"
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


