"""``hate-monitor moderators ...``: invite community moderators and manage their bot tokens."""

from __future__ import annotations

import click

from monitor.accounts.moderators import (
    InvitationError,
    TokenError,
    create_token,
    invitation_link,
    invite,
    list_tokens,
    moderator_named,
    revoke_token,
)
from monitor.accounts.users import UserError
from monitor.cli.context import obj_of
from monitor.config import public_base_url


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:19]


@click.group("moderators")
def moderators() -> None:
    """Community moderators who forward posts."""

@moderators.command("invite")
@click.argument("email_or_name")
@click.option("--days", type=click.IntRange(1, 90), default=7, show_default=True,
              help="Days the link stays valid.")
@click.pass_context
def invite_cmd(ctx: click.Context, email_or_name: str, days: int) -> None:
    """Create a one-time invitation link for a moderator and print it.

    Send the link privately: whoever opens it first chooses the username and password."""
    obj = obj_of(ctx)
    actor = obj.actor()
    try:
        with obj.database().write() as session:
            made = invite(session, label=email_or_name, actor=actor, days=days)
    except InvitationError as err:
        raise click.ClickException(str(err)) from err
    link = invitation_link(public_base_url(obj.settings), made.token)
    click.echo(f"Invitation for {email_or_name} (valid until "
               f"{made.invitation.expires_at:%Y-%m-%d %H:%M} UTC, usable once):")
    click.echo(link)

@moderators.command("tokens")
@click.argument("name")
@click.option("--new", "new_name", metavar="BOT", default=None,
              help="Create a token named after the bot that will use it; shown once.")
@click.option("--revoke", "revoke_id", type=int, metavar="ID", default=None,
              help="Revoke the token with this id.")
@click.pass_context
def tokens_cmd(
    ctx: click.Context, name: str, new_name: str | None, revoke_id: int | None
) -> None:
    """List a moderator's API tokens (and create or revoke one)."""
    obj = obj_of(ctx)
    actor = obj.actor()
    try:
        with obj.database().write() as session:
            user = moderator_named(session, name)
            if new_name is not None:
                made = create_token(session, user=user, name=new_name)
                click.echo(f"New token {made.token.id} for {name} ({new_name}); it is shown "
                           "only now, store it in the bot's secret settings:")
                click.echo(made.secret)
            if revoke_id is not None:
                try:
                    tok = revoke_token(session, token_id=revoke_id, owner_id=user.id,
                                       actor=actor)
                except TokenError as err:
                    raise TokenError(f"token {revoke_id} does not belong to {name}") from err
                click.echo(f"Revoked token {revoke_id} ({tok.name}).")
            rows = list_tokens(session, user.id or 0)
    except (UserError, TokenError) as err:
        raise click.ClickException(str(err)) from err
    if not rows:
        click.echo(f"{name} has no API tokens.")
        return
    click.echo(f"{'id':>4}  {'name':<24} {'prefix':<11} {'created':<19}  "
               f"{'last used':<19}  revoked")
    for t in rows:
        click.echo(f"{t.id:>4}  {t.name[:24]:<24} {t.prefix:<11} {_when(t.created_at):<19}  "
                   f"{_when(t.last_used_at):<19}  {_when(t.revoked_at)}")
