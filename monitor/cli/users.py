"""``hate-monitor users ...``: desk accounts, run by an administrator at the shell.

Every change is audited as the operating-system user (and the desk account given with
``hate-monitor --as NAME``), never as an anonymous "cli"."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from sqlmodel import Session

from monitor.accounts import admin
from monitor.accounts.users import (
    ROLES,
    UserError,
    create_user,
    generate_password,
    list_users,
)
from monitor.cli.context import obj_of


@click.group()
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
    obj = obj_of(ctx)
    actor = obj.actor()
    try:
        with obj.database().write() as session:
            create_user(
                session, username=name, role=role, password=password, actor=actor, email=email
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
    with obj_of(ctx).database().read() as session:
        rows = list_users(session)
    from monitor.storage.types import utcnow

    now = utcnow()
    for u in rows:
        state = "disabled" if u.disabled else (
            "locked" if u.locked_until is not None and u.locked_until > now else "active")
        click.echo(f"{u.username:<24} {u.role:<10} {state}")


def _change(ctx: click.Context, what: Callable[[Session, str], object], done: str) -> None:
    obj = obj_of(ctx)
    actor = obj.actor()
    try:
        with obj.database().write() as session:
            what(session, actor)
    except UserError as err:
        raise click.ClickException(str(err)) from err
    click.echo(done)


@users.command("unlock")
@click.argument("name")
@click.pass_context
def users_unlock(ctx: click.Context, name: str) -> None:
    """Lift a lock-out after repeated failed logins."""
    _change(ctx, lambda s, a: admin.unlock(s, username=name, actor=a), f"unlocked {name!r}")


@users.command("disable")
@click.argument("name")
@click.pass_context
def users_disable(ctx: click.Context, name: str) -> None:
    """Disable an account: its sessions and API tokens stop working at once."""
    _change(ctx, lambda s, a: admin.disable(s, username=name, actor=a), f"disabled {name!r}")


@users.command("enable")
@click.argument("name")
@click.pass_context
def users_enable(ctx: click.Context, name: str) -> None:
    """Enable a disabled account again."""
    _change(ctx, lambda s, a: admin.enable(s, username=name, actor=a), f"enabled {name!r}")


@users.command("set-role")
@click.argument("name")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_context
def users_set_role(ctx: click.Context, name: str, role: str) -> None:
    """Change an account's role (it logs in again)."""
    _change(ctx, lambda s, a: admin.set_role(s, username=name, role=role, actor=a),
            f"{name!r} is now {role}")


@users.command("reset-password")
@click.argument("name")
@click.pass_context
def users_reset_password(ctx: click.Context, name: str) -> None:
    """Set a new generated password, printed once; ends the account's sessions and lock-out."""
    obj = obj_of(ctx)
    actor = obj.actor()
    try:
        with obj.database().write() as session:
            password = admin.reset_password(session, username=name, actor=actor)
    except UserError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"new password for {name!r}: {password}")
    click.echo("(shown once: give it to them privately; their old sessions have ended)")


