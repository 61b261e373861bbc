"""The source page shows what sweeps could not read; acknowledging it is audited and clears
"needs attention" without deleting anything."""

from __future__ import annotations

from sqlmodel import select

from connectors.base import Unreadable
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.sources import Source
from monitor.sweeps.unreadable import Loss, keep, note_loss, open_list
from tests.support.sources import HOSTILE_TEXT, good_basis, make_source
from tests.support.web import Client, login


def lose(db: Database, sid: int) -> None:
    keep(db, sid, "mastodon", [Unreadable(b'{"id":"77"}', f"status has no 'account' {HOSTILE_TEXT}",
                                          "77")])
    with db.write() as s:
        src = s.get(Source, sid)
        assert src is not None
        note_loss(src, Loss(skipped=1, unreadable=1, notes=("page cut short",)), "2026-12-06")
        s.add(src)


async def test_the_page_lists_what_could_not_be_read_and_acknowledging_is_audited(
    client: Client, db: Database
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    lose(db, sid)
    token = await login(client, "officer")

    listing = await (await client.get("/sources")).text()
    assert "needs attention" in listing
    html = await (await client.get(f"/sources/{sid}")).text()
    assert "1 item(s) could not be read" in html and "page cut short" in html
    assert "I have looked at this" in html and "--retry-skipped" in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html  # the reason is escaped

    r = await client.post(f"/sources/{sid}/acknowledge",
                          data={"csrf_token": token, "note": "checked the forum by hand"})
    assert r.status == 200 and "Acknowledged" in await r.text()
    with db.read() as s:
        (event,) = s.exec(select(AuditEvent).where(
            AuditEvent.action == "source.acknowledge_loss")).all()
        src = s.get(Source, sid)
    assert event.actor == "officer" and event.reason == "checked the forum by hand"
    assert src is not None and src.unacknowledged_loss is None
    assert len(open_list(db, sid)) == 1  # the kept item is still there, to be read later
    html = await (await client.get(f"/sources/{sid}")).text()
    assert "I have looked at this" not in html and "needs attention" not in html


async def test_acknowledging_needs_the_csrf_token_and_a_real_source(
    client: Client, db: Database
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    lose(db, sid)
    token = await login(client, "officer")
    r = await client.post(f"/sources/{sid}/acknowledge", data={})
    assert r.status == 403
    r = await client.post("/sources/99999/acknowledge", data={"csrf_token": token})
    assert r.status == 404
    with db.read() as s:
        src = s.get(Source, sid)
    assert src is not None and src.unacknowledged_loss
