"""``hate-monitor audit ...``: verify and read the hash-chained audit trail."""

from __future__ import annotations

import click

from monitor.audit import chain as audit
from monitor.audit import search
from monitor.cli.context import obj_of


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """Recompute every audit event's hash and check the chain; exit 1 if it is broken."""
    with obj_of(ctx).database().read() as session:
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
    with obj_of(ctx).database().read() as session:
        rows = search.latest(session, limit)
    for ev in rows:
        click.echo(
            f"{ev.id:>6} {ev.created_at:%Y-%m-%d %H:%M:%S} {ev.actor:<24} {ev.action:<16} "
            f"{ev.object_type or ''}:{ev.object_id or ''} {ev.reason or ''}"
        )
