"""In a real browser: escalate two items, record a crime reference, export the pack, check it."""

from __future__ import annotations

import json
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from monitor.cases.evidence_pack import verify_pack
from monitor.config import Settings
from monitor.storage.db import Database
from tests.review_ui.views.test_cases import HOSTILE
from tests.support.browser import serve
from tests.support.desk import fill_queue, make_users
from tests.support.fakes import FakeScorer
from tests.support.web import PASSWORD, build_app

pytestmark = pytest.mark.e2e



@pytest.fixture
async def base_url(settings: Settings, db: Database, fake_scorer: FakeScorer
                   ) -> AsyncIterator[str]:
    async with serve(build_app(settings, db, fake_scorer)) as url:
        yield url


async def test_escalate_record_crime_export_and_verify(
    base_url: str, browser: Any, db: Database, fake_scorer: FakeScorer, tmp_path: Path,
    artifacts: Path,
) -> None:
    make_users(db)
    ids = fill_queue(db, fake_scorer, [HOSTILE, "muslims are scum, get out", "a nice day"])
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"a dialog opened: {d.message}"))
    await page.goto(base_url + "/login")
    await page.fill("input[name=username]", "officer")
    await page.fill("input[name=password]", PASSWORD)
    async with page.expect_navigation():
        await page.press("input[name=password]", "Enter")

    # What the queue's "escalate" action opens: the form with the chosen item ids.
    await page.goto(f"{base_url}/cases/new?items={ids[0]}&items={ids[1]}")
    await page.fill("#reason", "threats against a community")
    await page.fill("#title", "Two posts from one group")
    async with page.expect_navigation():
        await page.click("#escalate-form button[type=submit]")
    assert "/cases/HM-" in page.url
    reference = page.url.split("/cases/")[1].split("?")[0]
    assert await page.evaluate("typeof window.alert") == "function"  # page scripts intact
    assert HOSTILE.split(">")[0] in await page.inner_text(f"#item-{ids[0]} .post-text")

    await page.select_option("#status", "crime_recorded")
    await page.fill("#crime_reference", "GW/2026/4242")
    await page.fill("#status-reason", "recorded on the crime system")
    async with page.expect_navigation():
        await page.click("#status-form button[type=submit]")
    assert await page.inner_text("#crime-reference") == "GW/2026/4242"
    await page.screenshot(path=str(artifacts / "case-detail.png"), full_page=True)

    await page.click("#export-link")
    await page.fill("#recipient", "CPS Wales")
    await page.fill("#justification", "pre-charge advice")
    async with page.expect_download() as info:
        await page.click("#export-form button[type=submit]")
    download = await info.value
    pack = tmp_path / "pack.zip"
    await download.save_as(str(pack))
    await page.goto(base_url + "/stats")
    assert await page.locator("svg").count() >= 10
    await page.screenshot(path=str(artifacts / "stats.png"), full_page=True)
    await context.close()

    assert verify_pack(pack) == []
    with zipfile.ZipFile(pack) as zf:
        doc = json.loads(zf.read("case.json"))
        assert "&lt;script&gt;" in zf.read("report.html").decode()
    assert doc["case"]["reference"] == reference
    assert doc["case"]["crime_reference"] == "GW/2026/4242"
    assert sorted(i["queue_item_id"] for i in doc["items"]) == sorted(ids[:2])
    assert doc["recipient"] == "CPS Wales"
