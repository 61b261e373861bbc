"""Decisions, claims, undo and bulk through the HTTP interface, with the audit chain checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import time_machine
from sqlmodel import col, select

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.review import Decision, QueueItem
from monitor.storage.types import utcnow
from tests.support.desk import fill_queue
from tests.support.fakes import FakeScorer
from tests.support.web import Client, login


def _item(db: Database, item_id: int) -> QueueItem:
    with db.read() as s:
        item = s.get(QueueItem, item_id)
        assert item is not None
        return item


def _actions(db: Database) -> list[tuple[str, str | None]]:
    with db.read() as s:
        rows = s.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
        return [(e.action, e.object_id) for e in rows]


def _chain_ok(db: Database) -> bool:
    with db.read() as s:
        return audit.verify(s).ok


async def _open_next(client: Client) -> int:
    r = await client.get("/next", allow_redirects=False)
    assert r.status == 303, await r.text()
    location = r.headers["Location"]
    assert location.startswith("/items/"), location
    return int(location.split("/")[2].split("?")[0])


async def test_next_dismiss_records_decision_and_moves_on(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    first = await _open_next(client)
    with db.read() as s:
        top = s.exec(select(QueueItem).order_by(col(QueueItem.priority).desc())).first()
    assert top is not None and first == top.id
    r = await client.get(f"/items/{first}")
    assert r.status == 200
    r = await client.post(f"/items/{first}/decide",
                          data={"csrf_token": token, "outcome": "not_hate"},
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/next?after=")
    r = await client.get(r.headers["Location"], allow_redirects=False)
    nxt = r.headers["Location"]
    assert nxt.startswith("/items/") and f"/items/{first}?" not in nxt and "undo=" in nxt
    item = _item(db, first)
    assert item.status == "decided"
    with db.read() as s:
        d = s.exec(select(Decision).where(Decision.queue_item_id == first)).one()
    assert d.outcome == "not_hate" and d.p_hate_at_decision == item.p_hate
    assert d.model_version == "fake-1"
    acts = _actions(db)
    assert ("consult", str(first)) in acts and ("decide", str(first)) in acts
    assert _chain_ok(db)


async def test_bad_decision_rerenders_with_messages_and_keeps_input(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    item = populated[0]
    await client.get(f"/items/{item}")
    r = await client.post(f"/items/{item}/decide", data={
        "csrf_token": token, "outcome": "possible_crime", "strands": "race",
        "perceived_by": "witness", "offences": "mca1988_s1", "rationale": "",
    })
    html = await r.text()
    assert r.status == 400
    assert "Give a rationale" in html
    assert 'value="mca1988_s1" checked' in html and 'value="witness" checked' in html
    assert _item(db, item).status == "open"
    r = await client.post(f"/items/{item}/decide", data={
        "csrf_token": token, "outcome": "possible_crime", "strands": "race",
        "perceived_by": "witness", "offences": "mca1988_s1",
        "rationale": "Threat to kill; refer to CID", "bogus": "x",
    }, allow_redirects=False)
    assert r.status == 303
    with db.read() as s:
        d = s.exec(select(Decision).where(Decision.queue_item_id == item)).one()
    assert d.offences == ["mca1988_s1"] and d.strands == ["race"] and d.perceived_by == "witness"


async def test_undo_within_window_reopens_and_is_audited(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    item = populated[1]
    await client.get(f"/items/{item}")
    r = await client.post(f"/items/{item}/decide",
                          data={"csrf_token": token, "outcome": "not_hate"},
                          allow_redirects=False)
    with db.read() as s:
        d = s.exec(select(Decision).where(Decision.queue_item_id == item)).one()
    r = await client.post(f"/decisions/{d.id}/undo", data={"csrf_token": token},
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith(f"/items/{item}")
    assert _item(db, item).status == "open"
    with db.read() as s:
        assert s.get(Decision, d.id).undone_at is not None  # type: ignore[union-attr]
    assert ("decision.undo", str(item)) in _actions(db)
    # A second undo is refused, clearly.
    r = await client.post(f"/decisions/{d.id}/undo", data={"csrf_token": token})
    assert r.status == 409 and "already undone" in await r.text()
    assert _chain_ok(db)


async def test_undo_after_window_is_refused(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    item = populated[2]
    await client.get(f"/items/{item}")
    await client.post(f"/items/{item}/decide", data={"csrf_token": token, "outcome": "not_hate"},
                      allow_redirects=False)
    with db.read() as s:
        d = s.exec(select(Decision).where(Decision.queue_item_id == item)).one()
    with time_machine.travel(utcnow() + timedelta(seconds=45)):
        r = await client.post(f"/decisions/{d.id}/undo", data={"csrf_token": token})
    assert r.status == 409 and "can no longer be undone" in await r.text()
    assert _item(db, item).status == "decided"


async def test_two_officers_never_hold_the_same_item(
    make_client: Callable[[], Awaitable[Client]], db: Database, populated: list[int]
) -> None:
    a, b = await make_client(), await make_client()
    ta = await login(a, "officer")
    tb = await login(b, "officer2")
    first_a = await _open_next(a)
    first_b = await _open_next(b)
    assert first_a != first_b
    # B can read A's item but not decide it.
    r = await b.get(f"/items/{first_a}")
    assert "is reviewing this item" in await r.text()
    r = await b.post(f"/items/{first_a}/decide", data={"csrf_token": tb, "outcome": "not_hate"})
    assert r.status == 409 and "being reviewed by officer" in await r.text()
    assert _item(db, first_a).assignee_id is not None
    # Claims expire: eleven minutes later B may take it.
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        r = await b.post(f"/api/items/{first_a}/claim", headers={"X-CSRF-Token": tb})
        assert (await r.json())["claimed"] is True
    r = await a.post(f"/api/items/{first_a}/claim", headers={"X-CSRF-Token": ta})
    assert (await r.json())["claimed"] is False


async def test_bulk_on_duplicate_group_needs_confirmation(
    client: Client, db: Database, fake_scorer: FakeScorer
) -> None:
    ids = fill_queue(db, fake_scorer, ["Send them all back, scum"] * 3, start=100)
    ids += fill_queue(db, fake_scorer, ["send them  ALL back, scum"], start=200,
                      author="other@example.social")
    token = await login(client, "officer")
    r = await client.get("/queue")
    html = await r.text()
    assert "×4 copies" in html
    assert html.count("Send them all back") + html.count("send them  ALL back") == 1
    sha = _item(db, ids[0]).text_sha256
    r = await client.get(f"/bulk?kind=group&key={sha}")
    html = await r.text()
    assert r.status == 200 and html.count('name="item_ids"') == 4
    form = [("csrf_token", token), ("kind", "group"), ("key", sha or ""), ("outcome", "not_hate")]
    form += [("item_ids", str(i)) for i in ids]
    r = await client.post("/bulk", data=form)
    assert r.status == 400 and "Tick the box" in await r.text()
    assert all(_item(db, i).status == "open" for i in ids)
    r = await client.post("/bulk", data=[*form, ("confirm", "yes")], allow_redirects=False)
    assert r.status == 303
    assert all(_item(db, i).status == "decided" for i in ids)
    assert sum(1 for a, _ in _actions(db) if a == "decide") == 4
    assert _chain_ok(db)


async def test_bulk_by_author(client: Client, db: Database, fake_scorer: FakeScorer) -> None:
    ids = fill_queue(db, fake_scorer, ["immigrants are scum", "more filth from me", "hello"],
                     start=300, author="troll@example.social")
    token = await login(client, "officer")
    r = await client.get("/bulk?kind=author&key=troll@example.social&platform=mastodon")
    assert (await r.text()).count('name="item_ids"') == 3
    form = [("csrf_token", token), ("kind", "author"), ("key", "troll@example.social"),
            ("platform", "mastodon"), ("outcome", "hate_intelligence"), ("strands", "race"),
            ("perceived_by", "officer"), ("rationale", "Repeated campaign"), ("confirm", "yes")]
    form += [("item_ids", str(i)) for i in ids]
    r = await client.post("/bulk", data=form, allow_redirects=False)
    assert r.status == 303
    assert all(_item(db, i).status == "decided" for i in ids)


async def test_evidence_view_asks_for_and_logs_a_justification(
    client: Client, db: Database, populated: list[int]
) -> None:
    token = await login(client, "officer")
    item = populated[0]
    r = await client.get(f"/items/{item}/evidence")
    assert r.status == 200 and "Why do you need it" in await r.text()
    r = await client.post(f"/items/{item}/evidence", data={"csrf_token": token, "reason": "x"})
    assert r.status == 400
    r = await client.post(f"/items/{item}/evidence",
                          data={"csrf_token": token, "reason": "Preparing a crime report"})
    html = await r.text()
    assert r.status == 200 and "matches: unchanged since capture" in html
    with db.read() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "consult.raw")).one()
    assert ev.reason == "Preparing a crime report" and ev.actor == "officer"
