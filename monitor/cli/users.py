"""``hate-monitor users ...``: desk accounts."""

from __future__ import annotations

import sys

import click

from monitor.accounts.users import ROLES, UserError, create_user, generate_password, list_users
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
    database = obj_of(ctx).database()
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
    with obj_of(ctx).database().read() as session:
        for u in list_users(session):
            state = "disabled" if u.disabled else "active"
            click.echo(f"{u.username:<24} {u.role:<10} {state}")
