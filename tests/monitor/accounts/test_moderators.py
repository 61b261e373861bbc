"""Invitations, API tokens, the rate limit, and the ``moderators`` CLI commands."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlmodel import select

from monitor.accounts.moderators import (
    InvitationError,
    TokenBucket,
    TokenError,
    accept_invitation,
    authenticate_token,
    create_token,
    invite,
    revoke_token,
    token_hash,
)
from monitor.accounts.users import UserError, check_password
from monitor.cli.context import CliContext
from monitor.cli.moderators import moderators
from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import ApiToken, Invitation
from monitor.storage.types import utcnow
from tests.support.web import PASSWORD


def test_invitation_is_hashed_one_time_and_makes_a_moderator(db: Database) -> None:
    with db.write() as s:
        made = invite(s, label="jo@example.org", actor="admin")
    with db.read() as s:
        inv = s.exec(select(Invitation)).one()
        assert inv.token_sha256 == token_hash(made.token) and made.token not in repr(inv)
        assert inv.email == "jo@example.org"
    with pytest.raises(UserError, match="at least 12"), db.write() as s:
        accept_invitation(s, token=made.token, username="jo", password="short")
    with db.write() as s:  # the failed attempt did not spend the link
        user = accept_invitation(s, token=made.token, username="jo", password=PASSWORD)
    assert user.role == "moderator" and user.email == "jo@example.org"
    assert check_password(user, PASSWORD)
    with pytest.raises(InvitationError, match="already been used"), db.write() as s:
        accept_invitation(s, token=made.token, username="jo2", password=PASSWORD)


def test_expired_revoked_and_unknown_links_are_refused(db: Database) -> None:
    with db.write() as s:
        old = invite(s, label="Sam", actor="admin", days=1, now=utcnow() - timedelta(days=2))
        gone = invite(s, label="Kim", actor="admin")
        inv = s.get(Invitation, gone.invitation.id)
        assert inv is not None
        inv.revoked_at = utcnow()
        s.add(inv)
    for token, msg in ((old.token, "expired"), (gone.token, "withdrawn"),
                       ("nope", "not valid")):
        with pytest.raises(InvitationError, match=msg), db.write() as s:
            accept_invitation(s, token=token, username="x_user", password=PASSWORD)


def test_tokens_are_hashed_used_and_revoked(db: Database, mod_a: User, officer: User) -> None:
    with db.write() as s:
        made = create_token(s, user=mod_a, name="discord bot")
    assert made.secret.startswith("hmr_") and len(made.secret) > 40
    with db.read() as s:
        row = s.exec(select(ApiToken)).one()
        assert row.token_sha256 == token_hash(made.secret) and row.last_used_at is None
    with db.write() as s:
        found = authenticate_token(s, made.secret)
        assert found is not None and found[0].username == "mod_a"
        assert authenticate_token(s, made.secret + "x") is None
        assert authenticate_token(s, "Bearer nonsense") is None
    with db.read() as s:
        assert s.exec(select(ApiToken)).one().last_used_at is not None
    with db.write() as s, pytest.raises(TokenError, match="not one of yours"):
        revoke_token(s, token_id=made.token.id or 0, owner_id=officer.id, actor="officer1")
    with db.write() as s:
        revoke_token(s, token_id=made.token.id or 0, owner_id=mod_a.id, actor="mod_a")
    with db.write() as s:
        assert authenticate_token(s, made.secret) is None
    with db.write() as s, pytest.raises(TokenError, match="for moderators"):
        create_token(s, user=officer, name="x")


def test_token_bucket_allows_a_burst_then_says_how_long_to_wait() -> None:
    bucket = TokenBucket(rate=1.0, burst=3)
    assert [bucket.take(1, now=100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = bucket.take(1, now=100.0)
    assert wait == pytest.approx(1.0)
    assert bucket.take(2, now=100.0) == 0.0  # another token has its own bucket
    assert bucket.take(1, now=101.0) == 0.0


def _cli(settings: Settings) -> click.Group:
    @click.group()
    @click.pass_context
    def root(ctx: click.Context) -> None:
        ctx.obj = CliContext(settings)

    root.add_command(moderators)
    return root


def test_cli_invite_and_tokens(settings: Settings, tmp_path: Path, db: Database,
                               mod_a: User) -> None:
    settings = settings.with_overrides(service__base_url="https://desk.example.police.uk/")
    root = _cli(settings)
    runner = CliRunner()
    out = runner.invoke(root, ["moderators", "invite", "jo@example.org"], catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert "https://desk.example.police.uk/intake/invite/" in out.output
    made = runner.invoke(root, ["moderators", "tokens", "mod_a", "--new", "forum bot"],
                         catch_exceptions=False)
    assert made.exit_code == 0 and "hmr_" in made.output
    listed = runner.invoke(root, ["moderators", "tokens", "mod_a"], catch_exceptions=False)
    assert "forum bot" in listed.output and "hmr_" in listed.output  # the prefix only
    secret = next(w for w in made.output.split() if w.startswith("hmr_"))
    assert secret not in listed.output
    with db.read() as s:
        tok_id = s.exec(select(ApiToken.id)).one()
    revoked = runner.invoke(root, ["moderators", "tokens", "mod_a", "--revoke", str(tok_id)])
    assert revoked.exit_code == 0 and "Revoked" in revoked.output
    missing = runner.invoke(root, ["moderators", "tokens", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output
    wrong = runner.invoke(root, ["moderators", "tokens", "mod_a", "--revoke", "999"])
    assert wrong.exit_code == 1 and "does not belong to mod_a" in wrong.output
