"""The forward form in a real headless Chromium: accept the invitation, forward a post with a
screenshot, read the status and the officer's message on "My reports"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from monitor.accounts.moderators import invite
from monitor.config import Settings
from monitor.intake.status import set_feedback
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import Report, Screenshot
from monitor.storage.tables.review import QueueItem
from tests.monitor.intake.test_status import decide
from tests.support.browser import serve
from tests.support.fakes import FakeScorer
from tests.support.intake import png_bytes
from tests.support.web import build_app

pytestmark = pytest.mark.e2e

HOSTILE = '<img src=x onerror="window.pwned = 1"> muslims are scum, get out'


@pytest.fixture
async def server(settings: Settings, db: Database, fake_scorer: FakeScorer,
                 monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    async with serve(build_app(settings, db, fake_scorer)) as url:
        yield url


async def test_moderator_forwards_a_post_and_hears_back(
    server: str, browser: Any, db: Database, officer: User, tmp_path: Path, artifacts: Path
) -> None:
    with db.write() as s:
        token = invite(s, label="jo@example.org", actor="admin").token
    shot = tmp_path / "evidence.png"
    shot.write_bytes(png_bytes((120, 80), text={"GPS": "51.48,-3.18"}))
    page = await (await browser.new_context()).new_page()
    page.on("dialog", lambda d: pytest.fail(f"a dialog opened: {d.message}"))

    await page.goto(f"{server}/intake/invite/{token}")
    await page.fill("#username", "jo_mod")
    await page.fill("#password", "a long enough password")
    await page.fill("#password2", "a long enough password")
    async with page.expect_navigation():
        await page.click("button[type=submit]")
    assert "/login" in page.url
    await page.fill("#username", "jo_mod")
    await page.fill("#password", "a long enough password")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith("/intake/reports"), page.url

    await page.goto(f"{server}/intake/report")
    await page.fill("#url", "https://www.facebook.com/groups/town/posts/9")
    await page.select_option("#platform", "facebook")
    await page.fill("#group", "Town Square")
    await page.fill("#text", HOSTILE)
    await page.fill("#reason", "aimed at the families from the new mosque")
    await page.set_input_files("#screenshots", str(shot))
    async with page.expect_navigation():
        await page.click("#report-form button[type=submit]")
    assert "/intake/reports" in page.url
    assert "has been received" in await page.inner_text("#notice")
    row = page.locator("#my-reports tbody tr").first
    assert "Received" in await row.inner_text()
    assert "onerror" in await row.inner_text()  # shown as text...
    assert await page.evaluate("window.pwned") is None  # ...and never run

    with db.read() as s:
        assert s.exec(select(Screenshot)).one().width == 120
        item_id = s.exec(select(QueueItem.id)).one()
        report_id = s.exec(select(Report.id)).one()
    decide(db, item_id or 0, officer, "hate_intelligence")
    with db.write() as s:
        set_feedback(s, report_ids=[report_id or 0], officer=officer,
                     message="Recorded as hate intelligence. Thank you.")
    await page.reload()
    text = await page.locator("#my-reports tbody tr").first.inner_text()
    assert "Action taken" in text and "Recorded as hate intelligence" in text
    await page.screenshot(path=str(artifacts / "intake-my-reports.png"), full_page=True)
