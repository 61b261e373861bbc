"""Case, statistics and audit pages through the real app (routes added by our setup_routes)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from monitor.cases.evidence_pack import verify_pack
from monitor.config import Settings
from monitor.reporting import stats
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from review_ui.views import audit as views_audit
from review_ui.views import cases as views_cases
from review_ui.views import stats as views_stats
from tests.support.desk import fill_queue, make_users
from tests.support.fakes import FakeScorer
from tests.support.web import Client, build_app, csrf_of, login

HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)> immigrants are vermin'


@pytest.fixture
def items(db: Database, fake_scorer: FakeScorer) -> list[int]:
    make_users(db)
    return fill_queue(db, fake_scorer, [HOSTILE, "muslims are scum, get out", "a nice day"])


@pytest.fixture
async def new_client(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, items: list[int],
) -> Callable[[], Awaitable[Client]]:
    from aiohttp.test_utils import TestServer

    server = TestServer(build_app(settings, db, fake_scorer))
    await server.start_server()

    async def new() -> Client:
        return await aiohttp_client(server)

    return new


async def _escalate(client: Client, token: str, ids: list[int]) -> str:
    r = await client.get("/cases/new", params=[("items", str(i)) for i in ids])
    assert r.status == 200
    page = await r.text()
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    r = await client.post("/cases", data=[("csrf_token", token), ("reason", "threats"),
                                          ("title", "Leeds group"), ("strands", "race"),
                                          ("cyber_enabled", "yes"),
                                          *[("items", str(i)) for i in ids]],
                          allow_redirects=False)
    assert r.status == 303, await r.text()
    m = re.match(r"/cases/(HM-\d{4}-\d{6})", r.headers["Location"])
    assert m
    return m.group(1)


async def test_escalate_lifecycle_export(
    new_client: Callable[[], Awaitable[Client]], items: list[int], db: Database, tmp_path: Path
) -> None:
    client = await new_client()
    token = await login(client, "officer")
    ref = await _escalate(client, token, items[:2])
    page = await (await client.get(f"/cases/{ref}")).text()
    assert "Leeds group" in page and "&lt;img src=x onerror" in page and "<img src=x" not in page

    r = await client.post(f"/cases/{ref}/status", data={
        "csrf_token": token, "form": "status", "status": "crime_recorded", "reason": "recorded"})
    assert r.status == 400
    body = await r.text()
    assert "crime reference from the crime system" in body and 'value="recorded"' not in body
    assert "recorded</textarea>" in body  # the reason typed is kept
    r = await client.post(f"/cases/{ref}/status", data={
        "csrf_token": token, "form": "status", "status": "crime_recorded", "reason": "recorded",
        "crime_reference": "GW/777/26"}, allow_redirects=False)
    assert r.status == 303
    r = await client.post(f"/cases/{ref}/notes", data={"csrf_token": token, "form": "note",
                                                        "body": "spoke to moderator"})
    page = await r.text()
    assert "GW/777/26" in page and "spoke to moderator" in page

    r = await client.post(f"/cases/{ref}/export", data={"csrf_token": token, "recipient": "CPS",
                                                         "justification": " "})
    assert r.status == 400 and "justification" in await r.text()
    r = await client.post(f"/cases/{ref}/export", data={
        "csrf_token": token, "recipient": "CPS", "justification": "charging advice"})
    assert r.status == 200 and r.content_type == "application/zip"
    assert f"{ref}-evidence.zip" in r.headers["Content-Disposition"]
    pack = tmp_path / "pack.zip"
    pack.write_bytes(await r.read())
    assert verify_pack(pack) == []
    with db.read() as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "disclosure")).one()
        assert ev.actor == "officer" and ev.details["recipient"] == "CPS"


async def test_add_to_existing_case_and_errors_name_fields(
    new_client: Callable[[], Awaitable[Client]], items: list[int]
) -> None:
    client = await new_client()
    token = await login(client, "officer")
    ref = await _escalate(client, token, items[:1])
    r = await client.post("/cases", data={"csrf_token": token, "reason": "same author",
                                          "existing": ref, "items": str(items[2])},
                          allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith(f"/cases/{ref}")
    r = await client.post("/cases", data={"csrf_token": token, "reason": "",
                                          "items": str(items[1])})
    assert r.status == 400 and "say why" in await r.text()
    r = await client.post("/cases", data={"csrf_token": token, "reason": "x",
                                          "items": str(items[0])})
    assert r.status == 400 and "already escalated" in await r.text()
    assert (await client.get("/cases/HM-1999-000001")).status == 404
    assert (await client.get("/cases/nonsense")).status == 404


async def test_contacts_visible_to_assignee_and_admin_only(
    new_client: Callable[[], Awaitable[Client]], items: list[int], db: Database
) -> None:
    officer = await new_client()
    token = await login(officer, "officer")
    ref = await _escalate(officer, token, items[:1])
    r = await officer.post(f"/cases/{ref}/contacts", data={
        "csrf_token": token, "form": "contact", "role": "victim", "name": "Vic Tim",
        "contact": "07700 900555"}, allow_redirects=False)
    assert r.status == 303
    detail = await (await officer.get(f"/cases/{ref}")).text()
    assert "07700" not in detail  # only on the logged contacts page
    assert "07700 900555" in await (await officer.get(f"/cases/{ref}/contacts")).text()

    other = await new_client()
    await login(other, "officer2")
    assert "07700" not in await (await other.get(f"/cases/{ref}")).text()
    assert (await other.get(f"/cases/{ref}/contacts")).status == 403
    admin = await new_client()
    await login(admin, "admin")
    assert "Vic Tim" in await (await admin.get(f"/cases/{ref}/contacts")).text()
    moderator = await new_client()
    await login(moderator, "moderator")
    assert (await moderator.get("/cases")).status == 403
    with db.read() as s:
        views = s.exec(select(AuditEvent).where(AuditEvent.action == "case.contact.view")).all()
        assert [v.actor for v in views] == ["officer", "admin"]


async def test_stats_page_and_csv_agree_with_database(
    new_client: Callable[[], Awaitable[Client]], items: list[int], db: Database
) -> None:
    client = await new_client()
    token = await login(client, "officer")
    await _escalate(client, token, items[:1])
    page = await (await client.get("/stats")).text()
    assert page.count("<svg") == len(stats.CHART_TITLES) + 5  # and the five weekly trends
    r = await client.get("/stats.csv")
    assert r.content_type == "text/csv"
    rows = {(a, b): c for a, b, c in csv.reader(io.StringIO(await r.text()))}
    with db.read() as s:
        st = stats.compute(s)
    for name, counts in st.sections().items():
        for key, n in counts.items():
            assert rows[(name, key)] == str(n)
    assert rows[("totals", "items")] == "3" and rows[("items_by_status", "escalated")] == "1"
    assert (await client.get("/stats?since=garbage")).status == 400


async def test_audit_viewer_admin_only_filters_and_csv(
    new_client: Callable[[], Awaitable[Client]], items: list[int], db: Database
) -> None:
    officer = await new_client()
    token = await login(officer, "officer")
    ref = await _escalate(officer, token, items[:1])
    assert (await officer.get("/audit")).status == 403
    assert (await officer.get("/audit.csv")).status == 403
    admin = await new_client()
    await login(admin, "admin")
    page = await (await admin.get("/audit")).text()
    assert "Chain verified" in page
    filtered = await (await admin.get("/audit", params={"action": "case",
                                                        "actor": "officer"})).text()
    assert ref in filtered and "<td>user.create</td>" not in filtered
    assert "<td>case.create</td>" in filtered
    assert (await admin.get("/audit", params={"since": "nope"})).status == 400
    r = await admin.get("/audit.csv", params={"object_id": ref})
    rows = list(csv.reader(io.StringIO(await r.text())))
    assert rows[0][:4] == ["id", "created_at", "actor", "action"]
    assert {row[3] for row in rows[1:]} == {"case.create"}
    with db.read() as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "audit.export")).one()


async def test_every_case_route_with_every_role(
    new_client: Callable[[], Awaitable[Client]], items: list[int]
) -> None:
    """Like tests/review_ui/test_access.py, over our routes, with a real case reference."""
    client = await new_client()
    ref = await _escalate(client, await login(client, "officer"), items[:1])
    routes = [*views_cases.ROUTES, *views_stats.ROUTES, *views_audit.ROUTES]
    problems: list[str] = []
    for role in (None, "admin", "officer", "moderator"):
        client = await new_client()
        if role is None:
            token = csrf_of(await (await client.get("/login")).text())
        else:
            token = await login(client, role)
        for route in routes:
            url = route.path.replace("{reference}", ref)
            r = await client.request(route.method, url, headers={"X-CSRF-Token": token},
                                     allow_redirects=False)
            if role is None:
                ok = r.status == (303 if route.method == "GET" else 401)
            elif role in route.roles:
                ok = r.status not in (401, 403) and r.status < 500
            else:
                ok = r.status == 403
            if not ok:
                problems.append(f"{role or 'anonymous'} {route.method} {url} -> {r.status}")
    assert not problems, "\n".join(problems)
