"""Handing a case over is the current assignee's or an admin's act: an officer cannot assign a
case to themselves and so read the victim's contact details."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from monitor.accounts import users
from monitor.cases import contacts as case_contacts
from monitor.cases import lifecycle as cases
from monitor.config import Settings
from monitor.ingest.pipeline import process_posts_sync
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from review_ui.app import create_app
from tests.support.fakes import FakeScorer, make_post

Client = TestClient[Any, Any]
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def _csrf(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "page has no CSRF token"
    return m.group(1)


@pytest.fixture
def reference(db: Database, fake_scorer: FakeScorer) -> str:
    with db.write() as s:
        for name, role in (("admin", "admin"), ("officer", "officer"), ("officer2", "officer")):
            users.create_user(s, username=name, role=role, password=PASSWORD, actor="test")
    [item] = process_posts_sync(db, fake_scorer, [make_post(1, "kill the immigrants, vermin")],
                                weights=PriorityWeights(), origin="import",
                                actor="test").queue_item_ids
    with db.write() as s:
        officer = users.get_user(s, "officer")
        assert officer is not None
        case = cases.create_case(s, actor=officer, item_ids=[item], reason="threat",
                                 allowed_strands=["race"], case_years=6)
        case_contacts.add_contact(s, actor=officer, reference=case.reference, role="victim",
                                  name="A. Victim", contact="07700 900123")
        return case.reference


@pytest.fixture
async def new_client(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer,
) -> Callable[[str], Awaitable[tuple[Client, str]]]:
    server = TestServer(create_app(settings, db=db, scorer=fake_scorer))
    await server.start_server()

    async def login(username: str) -> tuple[Client, str]:
        client = await aiohttp_client(server)
        token = _csrf(await (await client.get("/login")).text())
        r = await client.post("/login", data={"username": username, "password": PASSWORD,
                                              "csrf_token": token}, allow_redirects=False)
        assert r.status == 303
        return client, _csrf(await (await client.get("/account")).text())

    return login


def _assignee(db: Database, ref: str) -> int | None:
    with db.read() as s:
        return cases.require_case(s, ref).assignee_id


async def test_an_officer_cannot_take_a_case_to_read_its_contacts(
    new_client: Callable[[str], Awaitable[tuple[Client, str]]], reference: str, db: Database,
) -> None:
    before = _assignee(db, reference)
    other, token = await new_client("officer2")
    page = await (await other.get(f"/cases/{reference}")).text()
    assert 'id="assign-form"' not in page
    r = await other.post(f"/cases/{reference}/assign", data={
        "csrf_token": token, "assignee": "officer2", "reason": "mine now"},
        allow_redirects=False)
    assert r.status == 403
    assert _assignee(db, reference) == before
    r = await other.get(f"/cases/{reference}/contacts")
    assert r.status == 403 and "07700" not in await r.text()


async def test_the_assignee_and_admins_hand_cases_over(
    new_client: Callable[[str], Awaitable[tuple[Client, str]]], reference: str, db: Database,
) -> None:
    officer, token = await new_client("officer")
    assert 'id="assign-form"' in await (await officer.get(f"/cases/{reference}")).text()
    r = await officer.post(f"/cases/{reference}/assign", data={
        "csrf_token": token, "assignee": "officer2", "reason": "on leave"},
        allow_redirects=False)
    assert r.status == 303
    # Handed over, the former assignee can neither take it back nor see the contacts.
    r = await officer.post(f"/cases/{reference}/assign", data={
        "csrf_token": token, "assignee": "officer", "reason": "back"}, allow_redirects=False)
    assert r.status == 403
    assert (await officer.get(f"/cases/{reference}/contacts")).status == 403
    admin, admin_token = await new_client("admin")
    r = await admin.post(f"/cases/{reference}/assign", data={
        "csrf_token": admin_token, "assignee": "officer", "reason": "returned"},
        allow_redirects=False)
    assert r.status == 303
    with db.read() as s:
        officer_user = users.get_user(s, "officer")
    assert officer_user is not None and _assignee(db, reference) == officer_user.id
