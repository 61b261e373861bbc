"""The sources list and detail pages: health at a glance, roles, escaping, missing sources."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from sqlmodel import select

from monitor.config import Settings
from monitor.storage.db import Database
from monitor.storage.tables.sources import Source
from tests.support.fakes import FakeScorer
from tests.support.sources import HOSTILE_TEXT, expire, good_basis, make_source
from tests.support.web import Client, build_app, login


async def test_list_shows_health_of_every_source(client: Client, db: Database) -> None:
    make_source(db, "ok-town", basis=good_basis())
    make_source(db, "no-basis")
    expire(db, make_source(db, "expired", basis=good_basis()))
    make_source(db, "soon", basis=good_basis(days_left=5))
    with db.write() as s:
        src = s.exec(select(Source).where(Source.name == "ok-town")).one()
        src.last_error = "SourceUnavailable: instance timed out"
        src.consecutive_failures = 1
        s.add(src)
    await login(client, "officer")
    r = await client.get("/sources")
    html = await r.text()
    assert r.status == 200
    assert "will not run: no lawful basis recorded" in html
    assert "will not run: lawful basis DSA-2026-17 expired on" in html
    assert "lawful basis DSA-2026-17 expires in 5 day(s)" in html
    assert "SourceUnavailable: instance timed out" in html
    assert "sweeps run in a worker" in html  # no scheduler in this process
    assert "Run now" in html and 'href="/sources/new"' not in html  # officers do not add
    assert '<a href="/sources">Sources</a>' in html


async def test_detail_shows_basis_schedule_terms_cursor(client: Client, db: Database) -> None:
    sid = make_source(db, "town", basis=good_basis(), include_terms=["Oldham", "Rochdale"],
                      exclude_terms=["football"], schedule="cron:*/30 * * * *",
                      backfill_limit=50)
    with db.write() as s:
        src = s.get(Source, sid)
        assert src is not None
        src.cursor = "109876543210"
        s.add(src)
    await login(client, "officer")
    html = await (await client.get(f"/sources/{sid}")).text()
    for text in ("DSA-2026-17", "public posts naming the town", "Insp. Khan", "cron:*/30 * * * *",
                 "Oldham", "Rochdale", "football", "109876543210", "50 post(s)", "No sweeps yet"):
        assert text in html, text
    assert f'href="/sources/{sid}/edit"' not in html  # officers see no edit link


async def test_missing_source_is_404(client: Client) -> None:
    await login(client, "admin")
    for path in ("/sources/1", "/sources/99999999999", "/sources/abc", "/sources/1/edit"):
        r = await client.get(path, allow_redirects=False)
        assert r.status == 404, path
    for action in ("run", "enable", "disable", "edit"):
        r = await client.post(f"/sources/1/{action}", data={"csrf_token": await _token(client)})
        assert r.status == 404, action


async def _token(client: Client) -> str:
    from tests.support.web import csrf_of

    return csrf_of(await (await client.get("/account")).text())


async def test_roles(client: Client, db: Database) -> None:
    sid = make_source(db, "town", basis=good_basis())
    r = await client.get("/sources", allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/login?next=")
    await login(client, "moderator")
    for path in ("/sources", f"/sources/{sid}", "/sources/new"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    await client.post("/logout", data={"csrf_token": await _token(client)})
    token = await login(client, "officer")
    assert (await client.get(f"/sources/{sid}")).status == 200
    for path in ("/sources/new", f"/sources/{sid}/edit"):
        assert (await client.get(path, allow_redirects=False)).status == 403, path
    for path in ("/sources", f"/sources/{sid}/edit", f"/sources/{sid}/disable"):
        r = await client.post(path, data={"csrf_token": token, "name": "x"},
                              allow_redirects=False)
        assert r.status == 403, path


async def test_hostile_text_is_escaped(client: Client, db: Database) -> None:
    sid = make_source(db, HOSTILE_TEXT, basis=good_basis(), target=HOSTILE_TEXT,
                      include_terms=[HOSTILE_TEXT], exclude_terms=[HOSTILE_TEXT])
    await login(client, "admin")
    for path in ("/sources", f"/sources/{sid}", f"/sources/{sid}/edit"):
        html = await (await client.get(path)).text()
        assert "<script>alert" not in html, path
        assert "&lt;script&gt;alert(" in html, path


async def test_config_declared_source_is_managed_from_the_file(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, users: None,
) -> None:
    sid = make_source(db, "from-file", basis=good_basis())
    declared = dataclasses.replace(settings, extra={
        **settings.extra, "sources": [{"name": "from-file", "connector": "mastodon"}]})
    client = await aiohttp_client(build_app(declared, db, fake_scorer))
    token = await login(client, "admin")
    html = await (await client.get(f"/sources/{sid}")).text()
    assert "managed from that file" in html and f"/sources/{sid}/edit" not in html
    assert "from config.toml" in await (await client.get("/sources")).text()
    r = await client.get(f"/sources/{sid}/edit")
    assert r.status == 409 and "config.toml" in await r.text()
    for action in ("edit", "disable"):
        r = await client.post(f"/sources/{sid}/{action}",
                              data={"csrf_token": token, "target": "#elsewhere"})
        assert r.status == 409, action
    r = await client.post("/sources", data={"csrf_token": token, "name": "from-file"})
    assert r.status == 400 and "declared in config.toml" in await r.text()
    with db.read() as s:
        src = s.get(Source, sid)
        assert src is not None and src.enabled and src.target == "#town"
