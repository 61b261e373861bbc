"""The admin add/edit form: validation per field with nothing lost, audit events, resync."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from monitor.config import Settings
from monitor.ops.worker import SchedulerHandle
from monitor.storage.db import Database
from monitor.storage.tables.ops import AuditEvent
from monitor.storage.tables.sources import Source
from review_ui import keys
from tests.support.fakes import FakeScorer
from tests.support.sources import good_basis, make_source, today
from tests.support.web import Client, build_app, login


def form(token: str, **over: str) -> dict[str, str]:
    data = {
        "csrf_token": token, "name": "oldham-tag", "connector": "mastodon",
        "target": "#oldham", "base_url": "https://mastodon.example", "schedule": "interval:30m",
        "jitter_s": "120", "backfill_limit": "40", "include_terms": "Oldham\n\n Chadderton \n",
        "exclude_terms": "football", "enabled": "yes",
        "basis_reference": "DSA-2026-21", "basis_scope": "public posts under #oldham",
        "basis_approved_by": "Supt. Reid",
        "basis_approved_on": str(today() - timedelta(days=1)),
        "basis_expires_on": str(today() + timedelta(days=90)),
    }
    data.update(over)
    return data


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)
                           .order_by(col(AuditEvent.id))).all())


def source(db: Database, sid: int) -> Source:
    with db.read() as s:
        src = s.get(Source, sid)
    assert src is not None
    return src


async def test_add_a_source(client: Client, db: Database) -> None:
    token = await login(client, "admin")
    assert (await client.get("/sources/new")).status == 200
    r = await client.post("/sources", data=form(token), allow_redirects=False)
    assert r.status == 303, await r.text()
    sid = int(r.headers["Location"].split("/")[2].split("?")[0])
    src = source(db, sid)
    assert (src.name, src.target, src.base_url, src.schedule) == (
        "oldham-tag", "#oldham", "https://mastodon.example", "interval:30m")
    assert (src.jitter_s, src.backfill_limit, src.enabled) == (120, 40, True)
    assert src.include_terms == ["Oldham", "Chadderton"] and src.exclude_terms == ["football"]
    assert src.basis_reference == "DSA-2026-21" and src.basis_approved_by == "Supt. Reid"
    [event] = events(db, "source.create")
    assert event.actor == "admin" and event.object_id == str(sid)
    assert "Source added." in await (await client.get(r.headers["Location"])).text()


async def test_bad_input_keeps_everything_and_says_what_is_wrong(
    client: Client, db: Database
) -> None:
    token = await login(client, "admin")
    bad = form(token, schedule="every 5 minutes", jitter_s="-3", target=" ",
               basis_scope="", basis_expires_on=str(today() - timedelta(days=9)),
               connector="myspace")
    r = await client.post("/sources", data=bad)
    html = await r.text()
    assert r.status == 400
    assert 'id="schedule-error"' in html and "not understood" in html
    assert 'id="jitter_s-error"' in html and 'id="target-error"' in html
    assert 'id="connector-error"' in html and 'id="basis_scope-error"' in html
    assert "fill in all five lawful basis fields, or none" in html
    for kept in ("every 5 minutes", "DSA-2026-21", "Supt. Reid", "Chadderton", "football",
                 "https://mastodon.example"):
        assert kept in html, kept
    with db.read() as s:
        assert s.exec(select(Source)).first() is None


async def test_expiry_must_follow_approval_and_dates_parse(client: Client) -> None:
    token = await login(client, "admin")
    r = await client.post("/sources", data=form(
        token, basis_approved_on="2026-05-01", basis_expires_on="2026-04-01"))
    assert r.status == 400
    assert "expiry 2026-04-01 must be after approval 2026-05-01" in await r.text()
    r = await client.post("/sources", data=form(token, basis_approved_on="1st May"))
    assert r.status == 400 and "must be a date written YYYY-MM-DD" in await r.text()
    r = await client.post("/sources", data=form(token, schedule="interval:10s"))
    assert r.status == 400 and "at least 60s" in await r.text()


async def test_no_basis_at_all_is_allowed_but_will_not_run(client: Client, db: Database) -> None:
    token = await login(client, "admin")
    blank = dict.fromkeys(("basis_reference", "basis_scope", "basis_approved_by",
                           "basis_approved_on", "basis_expires_on"), "")
    r = await client.post("/sources", data=form(token, **blank))
    assert r.status == 200  # followed the redirect
    html = await r.text()
    assert "will not run: no lawful basis recorded" in html and "No lawful basis recorded" in html


async def test_duplicate_name(client: Client, db: Database) -> None:
    make_source(db, "oldham-tag", basis=good_basis())
    token = await login(client, "admin")
    r = await client.post("/sources", data=form(token))
    assert r.status == 400 and "already exists" in await r.text()


async def test_edit_audits_changed_field_names_and_resets_cursor(
    client: Client, db: Database
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    with db.write() as s:
        src = s.get(Source, sid)
        assert src is not None
        src.cursor = "old-cursor"
        s.add(src)
    token = await login(client, "admin")
    html = await (await client.get(f"/sources/{sid}/edit")).text()
    assert 'value="#town"' in html and "DSA-2026-17" in html
    r = await client.post(f"/sources/{sid}/edit", data=form(
        token, name="renamed?", target="#town2", base_url="", schedule="interval:15m",
        jitter_s="60", backfill_limit="200", include_terms="", exclude_terms="",
        basis_reference="DSA-2026-17", basis_scope="public posts naming the town",
        basis_approved_by="Insp. Khan", basis_approved_on=str(source(db, sid).basis_approved_on),
        basis_expires_on=str(source(db, sid).basis_expires_on)), allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].endswith("msg=saved")
    src = source(db, sid)
    assert src.name == "town" and src.target == "#town2" and src.cursor is None
    [event] = events(db, "source.update")
    assert event.details["changed"] == ["target", "cursor"] and event.actor == "admin"
    # The same values again: nothing to change, nothing audited.
    r = await client.post(f"/sources/{sid}/edit", data=form(
        token, target="#town2", base_url="", schedule="interval:15m", jitter_s="60",
        backfill_limit="200", include_terms="", exclude_terms="",
        basis_reference="DSA-2026-17", basis_scope="public posts naming the town",
        basis_approved_by="Insp. Khan", basis_approved_on=str(src.basis_approved_on),
        basis_expires_on=str(src.basis_expires_on)), allow_redirects=False)
    assert r.headers["Location"].endswith("msg=unchanged")
    assert len(events(db, "source.update")) == 1


async def test_edit_with_bad_schedule_changes_nothing(client: Client, db: Database) -> None:
    sid = make_source(db, "town", basis=good_basis())
    token = await login(client, "admin")
    r = await client.post(f"/sources/{sid}/edit", data=form(token, schedule="cron:* * *"))
    html = await r.text()
    assert r.status == 400 and "needs five fields" in html and "cron:* * *" in html
    assert source(db, sid).schedule == "interval:15m" and not events(db, "source.update")


async def test_enable_disable_audited(client: Client, db: Database) -> None:
    sid = make_source(db, "town", basis=good_basis())
    token = await login(client, "admin")
    r = await client.post(f"/sources/{sid}/disable", data={"csrf_token": token})
    assert "Source disabled" in await r.text() and not source(db, sid).enabled
    assert "disabled" in await (await client.get("/sources")).text()
    r = await client.post(f"/sources/{sid}/enable", data={"csrf_token": token})
    assert "Source enabled." in await r.text() and source(db, sid).enabled
    assert [e.actor for e in events(db, "source.disable")] == ["admin"]
    assert [e.actor for e in events(db, "source.enable")] == ["admin"]


class FakeHandle(SchedulerHandle):
    """A scheduler in this process, as ``serve`` keeps one, without APScheduler."""

    def __init__(self) -> None:
        super().__init__(None)
        self.runs: list[int] = []
        self.resyncs = 0

    @property
    def running(self) -> bool:
        return True

    async def resync(self) -> None:
        self.resyncs += 1

    def run_now(self, source_id: int) -> bool:
        self.runs.append(source_id)
        return True

    def next_runs(self) -> dict[int, datetime | None]:
        return dict.fromkeys(self.runs or [1], datetime(2031, 1, 2, 3, 4, 5, tzinfo=UTC))


async def test_with_a_scheduler_in_process(
    aiohttp_client: Callable[[Any], Awaitable[Client]], settings: Settings, db: Database,
    fake_scorer: FakeScorer, users: None,
) -> None:
    sid = make_source(db, "town", basis=good_basis())
    assert sid == 1
    app = build_app(settings, db, fake_scorer)
    handle = FakeHandle()
    app[keys.SCHEDULER] = handle
    client = await aiohttp_client(app)
    token = await login(client, "officer")
    assert "2031-01-02 03:04:05 UTC" in await (await client.get("/sources")).text()
    r = await client.post(f"/sources/{sid}/run", data={"csrf_token": token})
    assert handle.runs == [sid] and "handed to the scheduler" in await r.text()
    await client.post("/logout", data={"csrf_token": token})
    token = await login(client, "admin")
    await client.post(f"/sources/{sid}/disable", data={"csrf_token": token})
    await client.post("/sources", data=form(token))
    assert handle.resyncs == 2
