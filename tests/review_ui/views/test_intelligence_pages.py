"""The intelligence submission pages: role, CSRF, 400 naming fields, printable output."""

from __future__ import annotations

from sqlmodel import select

from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from tests.support.web import Client, login


async def _decide_intel(client: Client, token: str, item: int) -> None:
    await client.get(f"/items/{item}")
    r = await client.post(f"/items/{item}/decide", data={
        "csrf_token": token, "outcome": "hate_intelligence", "strands": "religion",
        "perceived_by": "officer", "rationale": "derogatory about Muslims"},
        allow_redirects=False)
    assert r.status == 303
    r = await client.get(r.headers["Location"])  # the next item, with the prompt to grade
    page = await r.text()
    assert 'id="grade-prompt"' in page and f"/items/{item}/intelligence" in page


async def test_grade_and_hand_over(client: Client, db: Database, populated: list[int]) -> None:
    token = await login(client, "officer")
    item = populated[1]
    r = await client.get(f"/items/{item}/intelligence")
    assert r.status == 409 and 'id="not-ready"' in await r.text()
    await _decide_intel(client, token, item)
    r = await client.get(f"/items/{item}/intelligence")
    assert r.status == 200 and 'id="intelligence-form"' in await r.text()
    r = await client.post(f"/items/{item}/intelligence", data={
        "csrf_token": token, "source": "9", "assessment": "B", "handling": "C",
        "conditions": "", "recipient": "", "justification": "x", "format": "html"})
    page = await r.text()
    assert r.status == 400
    assert 'id="source-error"' in page and 'id="conditions-error"' in page
    assert 'id="recipient-error"' in page
    r = await client.post(f"/items/{item}/intelligence", data={
        "csrf_token": token, "source": "2", "assessment": "B", "handling": "C",
        "conditions": "force only", "recipient": "FIB", "justification": "tension",
        "format": "html"})
    page = await r.text()
    assert r.status == 200 and 'id="grade-code">2/B/C<' in page
    r = await client.post(f"/items/{item}/intelligence", data={
        "csrf_token": token, "source": "1", "assessment": "A", "handling": "P",
        "recipient": "FIB", "justification": "tension", "format": "csv"})
    assert r.status == 200 and r.content_type == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    with db.read() as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "disclosure")).all()
    assert [e.details["grading"] for e in events] == ["2/B/C", "1/A/P"]


async def test_needs_csrf(client: Client, populated: list[int]) -> None:
    # Roles: tests/review_ui/test_access.py walks every route with every role.
    await login(client, "officer")
    r = await client.post(f"/items/{populated[0]}/intelligence", data={"source": "1"})
    assert r.status == 403
