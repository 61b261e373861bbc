"""Escalating from triage in a real browser: recording "possible crime" opens the escalation
form prefilled from the decision; "c" opens it from any item; Ctrl+Enter submits it."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.storage.db import Database
from tests.e2e.test_wellness_browser import login
from tests.support.desk import fill_queue, make_users
from tests.support.fakes import FakeScorer

pytestmark = pytest.mark.e2e


async def test_possible_crime_opens_prefilled_escalation(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer
) -> None:
    make_users(db)
    ids = fill_queue(db, fake_scorer, ["kill all the immigrants, vermin", "muslims are scum"])
    page = await login(browser, server, "officer")
    await page.goto(f"{server}/items/{ids[0]}")
    await page.wait_for_function("document.activeElement?.id === 'post-text'")
    await page.keyboard.press("e")
    await page.wait_for_function("document.activeElement?.id === 'rationale'")
    await page.keyboard.type("threat to kill a group; reported by a resident")
    async with page.expect_navigation():
        await page.keyboard.press("Control+Enter")
    assert "/cases/new" in page.url, page.url
    assert await page.is_visible("#decided-notice")
    assert await page.input_value("#reason") == "threat to kill a group; reported by a resident"
    assert await page.evaluate("document.activeElement.id") == "reason"
    checked = await page.eval_on_selector_all(
        "input[name=strands]:checked", "els => els.map(e => e.value)")
    assert checked, "strands are prefilled from the decision"
    async with page.expect_navigation():
        await page.keyboard.press("Control+Enter")
    assert "/cases/HM-" in page.url, page.url
    await page.context.close()


async def test_c_opens_the_escalation_form(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer
) -> None:
    make_users(db)
    ids = fill_queue(db, fake_scorer, ["gay people are disgusting filth"])
    page = await login(browser, server, "officer")
    await page.goto(f"{server}/items/{ids[0]}")
    await page.wait_for_function("document.activeElement?.id === 'post-text'")
    async with page.expect_navigation():
        await page.keyboard.press("c")
    assert f"/cases/new?items={ids[0]}" in page.url, page.url
    await page.context.close()
