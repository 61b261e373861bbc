"""``hate-monitor import`` and ``hate-monitor queue``: posts in from a file, the open queue out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli import context
from monitor.cli.context import obj_of
from monitor.ingest.importer import import_file
from monitor.review.priority import PriorityWeights
from monitor.review.queue import open_queue


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--batch-size", default=256, show_default=True, type=click.IntRange(1, 10_000))
@click.pass_context
def import_cmd(ctx: click.Context, file: Path, batch_size: int) -> None:
    """Ingest posts from a JSON Lines FILE (schema in the README)."""
    obj = obj_of(ctx)
    database = obj.database()
    actor = obj.actor()
    scorer = context.load_scorer(obj)
    summary = import_file(
        database,
        scorer,
        file,
        shadows=context.load_shadows(obj),
        weights=PriorityWeights.from_settings(obj.settings),
        actor=actor,
        retention_days=obj.settings["retention.dismissed_days"],
        batch_size=batch_size,
    )
    for number, reason in summary.errors:
        click.echo(f"{file}:{number}: rejected: {reason}", err=True)
    click.echo(
        f"read {summary.read}, new {summary.new}, edited {summary.versions}, "
        f"duplicate {summary.duplicate}, rejected {summary.rejected}"
    )


@click.command("queue")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--json", "as_json", is_flag=True, help="One JSON array of objects.")
@click.pass_context
def queue_cmd(ctx: click.Context, limit: int, as_json: bool) -> None:
    """List open queue items, highest priority first."""
    database = obj_of(ctx).database()
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
