"""``hate-monitor cases ...``: thin wrappers over monitor.cases (lifecycle, read views,
evidence packs)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import click

from monitor.accounts.users import get_user
from monitor.cases.evidence_pack import export_pack, verify_pack
from monitor.cases.lifecycle import STATUSES, CaseError, CasePermissionError, can_work_cases
from monitor.cases.read import case_detail, list_cases
from monitor.cli.context import obj_of
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User


def _acting_user(db: Database, username: str) -> User:
    """DPA 2018 s62 logs who disclosed: the shell user must name their own account."""
    with db.read() as session:
        user = get_user(session, username)
    if user is None:
        raise click.ClickException(f"--user {username!r}: no such account")
    if not can_work_cases(user):
        raise click.ClickException(f"--user {username!r} ({user.role}) may not work cases")
    return user


@click.group("cases")
def cases_group() -> None:
    """Cases and evidence packs."""


@cases_group.command("list")
@click.option("--status", type=click.Choice(list(STATUSES)), default=None, help="Only this status.")
@click.option("--limit", type=int, default=200, show_default=True)
@click.pass_context
def cases_list(ctx: click.Context, status: str | None, limit: int) -> None:
    """Cases, most recently changed first."""
    with obj_of(ctx).database().read() as session:
        rows = list_cases(session, status=status, limit=limit)
    if not rows:
        click.echo("no cases")
        return
    for r in rows:
        click.echo(f"{r.reference:<16} {r.status:<24} {r.items:>3} items  "
                   f"{r.assignee or '-':<16} {r.updated_at:%Y-%m-%d %H:%M}  {r.title}")


@cases_group.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def cases_show(ctx: click.Context, reference: str, as_json: bool) -> None:
    """One case: summary, items, history, notes (never victim or witness details)."""
    try:
        with obj_of(ctx).database().read() as session:
            d = case_detail(session, reference)
    except CaseError as err:
        raise click.ClickException(str(err)) from err
    c = d.case
    if as_json:
        click.echo(json.dumps({
            "reference": c.reference, "title": c.title, "status": c.status,
            "crime_reference": c.crime_reference, "strands": c.strands, "offences": c.offences,
            "cyber_enabled": c.cyber_enabled, "perception": c.perception,
            "assignee": d.assignee, "review_date": str(c.review_date),
            "items": [{"queue_item_id": v.item.id, "url": v.capture.url,
                       "raw_sha256": v.capture.raw_sha256} for v in d.items],
            "history": [{"at": h.at.isoformat(), "user": h.user, "kind": h.kind,
                         "to_status": h.to_status, "reason": h.reason} for h in d.history],
        }, indent=2))
        return
    click.echo(f"{c.reference}  {STATUSES.get(c.status, c.status)}  {c.title}")
    click.echo(f"  crime reference: {c.crime_reference or '-'}   assignee: {d.assignee or '-'}"
               f"   review date: {c.review_date}")
    click.echo(f"  strands: {', '.join(c.strands) or '-'}"
               f"   offences: {', '.join(c.offences) or '-'}"
               f"   cyber-enabled: {'yes' if c.cyber_enabled else 'no'}"
               f"   perceived by: {c.perception or '-'}")
    click.echo(f"  contacts on file: {d.contact_count} (shown on the desk to the assignee/admins)")
    click.echo("items:")
    for v in d.items:
        click.echo(f"  #{v.item.id} {v.capture.url}  sha256 {v.capture.raw_sha256}")
    click.echo("history:")
    for h in d.history:
        change = f" {h.from_status or ''}->{h.to_status}" if h.to_status else ""
        click.echo(f"  {h.at:%Y-%m-%d %H:%M} {h.user:<16} {h.kind}{change}: {h.reason}")
    for n in d.notes:
        click.echo(f"  note {n.at:%Y-%m-%d %H:%M} {n.user}: {n.body}")


@cases_group.command("export")
@click.argument("reference")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="ZIP file to write.")
@click.option("--justification", required=True, help="Why this disclosure is necessary.")
@click.option("--recipient", required=True, help="Who receives the pack.")
@click.option("--user", "username", required=True, help="Your account (logged as discloser).")
@click.pass_context
def cases_export(ctx: click.Context, reference: str, out: Path, justification: str,
                 recipient: str, username: str) -> None:
    """Write an evidence pack, recorded as a disclosure (DPA 2018 s62)."""
    db = obj_of(ctx).database()
    actor = _acting_user(db, username)
    if out.exists():
        raise click.ClickException(f"--out {out}: already exists; choose a new file name")
    if not out.parent.is_dir():
        raise click.ClickException(f"--out {out}: folder {out.parent} does not exist")
    try:
        pack = export_pack(db, actor=actor, reference=reference, justification=justification,
                           recipient=recipient, out=out)
    except (CaseError, CasePermissionError) as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"wrote {out} ({len(pack.data)} bytes, {len(pack.files) + 1} files), "
               f"sha256 {pack.sha256}; disclosure recorded")


@cases_group.command("verify-pack")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def cases_verify_pack(file: Path) -> None:
    """Check every hash in an evidence pack; exit status 1 if anything is wrong."""
    problems = verify_pack(file)
    if problems:
        for p in problems:
            click.echo(f"FAIL {p}", err=True)
        raise click.exceptions.Exit(1)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    click.echo(f"OK {file}: every file matches manifest.sha256 and every capture its "
               f"capture-time SHA-256; pack sha256 {digest} (compare with the disclosure "
               "in the audit log)")
