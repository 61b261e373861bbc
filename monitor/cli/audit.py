"""``hate-monitor audit ...``: verify and read the hash-chained audit trail."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.audit import chain as audit
from monitor.audit import search
from monitor.audit.seal import SealError, append_seal, check_seals, head, read_seals
from monitor.cli.context import obj_of


@click.group("audit")
def audit_group() -> None:
    """The hash-chained audit trail."""


@audit_group.command("verify")
@click.option("--seal", "seal_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also prove no event at or before each head sealed in this file (or an "
                   "evidence pack's audit_head.json) changed or disappeared.")
@click.pass_context
def audit_verify(ctx: click.Context, seal_file: Path | None) -> None:
    """Recompute every audit event's hash and check the chain; exit 1 if it is broken."""
    try:
        seals = read_seals(seal_file) if seal_file is not None else []
    except SealError as err:
        raise click.ClickException(str(err)) from err
    with obj_of(ctx).database().read() as session:
        report = audit.verify(session)
        problems = check_seals(session, seals, report)
    if problems:
        raise click.ClickException("audit chain does NOT match its seals:\n  "
                                   + "\n  ".join(problems))
    if report.ok:
        unkeyed = report.events - report.keyed
        click.echo(f"audit chain intact: {report.events} events ({report.keyed} keyed, "
                   f"{unkeyed} unkeyed)")
        if seals:
            click.echo(f"{len(seals)} seal(s) hold, the latest at event "
                       f"{max(s.event_id for s in seals)}")
        return
    raise click.ClickException(
        f"audit chain BROKEN at event {report.first_bad_id}: {report.problem} "
        f"({report.events} events checked)"
    )


@audit_group.command("seal")
@click.option("--file", "seal_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Append the seal to this file (keep it off the database's disk).")
@click.pass_context
def audit_seal(ctx: click.Context, seal_file: Path | None) -> None:
    """Record the chain's head (event id, hash, time) outside the database."""
    database = obj_of(ctx).database()
    with database.write() as session:
        # The seal is itself an audited act; the head sealed is that event.
        audit.record(session, actor="cli:audit-seal", action="audit_seal",
                     object_type="audit", reason="head sealed outside the database",
                     details={"file": str(seal_file) if seal_file else None})
        sealed = head(session)
    assert sealed is not None  # just recorded one
    if seal_file is not None:
        try:
            append_seal(seal_file, sealed)
        except SealError as err:
            raise click.ClickException(str(err)) from err
        click.echo(f"sealed to {seal_file}")
    click.echo(sealed.notebook())


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
