"""Reviewer wellness in a real browser: hateful text and moderators' screenshots stay blurred
(and greyscale when asked) until revealed on purpose; focus alone never reveals them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from monitor.accounts import sessions
from monitor.accounts.users import create_user
from monitor.intake.reports import ReportInput, submit_report
from monitor.review.priority import PriorityWeights
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from tests.support.desk import make_users
from tests.support.fakes import FakeScorer
from tests.support.web import PASSWORD

pytestmark = pytest.mark.e2e


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 10, 10)).save(buf, format="PNG")
    return buf.getvalue()


async def _forwarded_item(db: Database, scorer: FakeScorer) -> int:
    with db.write() as s:
        mod = create_user(s, username="mod_w", role="moderator", password=PASSWORD,
                          actor="test")
    out = await submit_report(
        db, scorer, reporter=mod, weights=PriorityWeights(),
        data=ReportInput(url="https://www.facebook.com/groups/town/posts/77",
                         text="get out of our town, immigrants are vermin",
                         platform="facebook", group="Town", reason="hostile to refugees"),
        screenshots=[(_png(), "shot.png")])
    return out.queue_item_id


def _prefs(db: Database, username: str, **values: bool) -> None:
    with db.write() as s:
        from sqlmodel import select

        user = s.exec(select(User).where(User.username == username)).one()
        sessions.set_preferences(s, user.id or 0, values)


async def login(browser: Any, base: str, username: str) -> Any:
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await context.new_page()
    await page.goto(base + "/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.press("#password", "Enter")
    return page


async def _filter(page: Any, selector: str) -> str:
    return str(await page.eval_on_selector(selector, "el => getComputedStyle(el).filter"))


async def test_screenshot_greyscale_and_blurred_until_revealed(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer
) -> None:
    make_users(db)
    item_id = await _forwarded_item(db, fake_scorer)
    _prefs(db, "officer", greyscale_images=True)  # blur is on by default
    page = await login(browser, server, "officer")
    await page.goto(f"{server}/items/{item_id}")
    await page.wait_for_selector("img.shot")
    await page.wait_for_function(
        "document.querySelector('img.shot').complete && "
        "document.querySelector('img.shot').naturalWidth > 0")
    # The post has focus (keyboard triage) and is still blurred: focus is not a reveal.
    assert await page.evaluate("document.activeElement.id") == "post-text"
    assert "blur" in await _filter(page, "#post-text")
    shot = await _filter(page, "img.shot")
    assert "grayscale(1)" in shot and "blur" in shot, shot
    # Hovering is not a reveal either (with scripts on).
    await page.hover("#post-text")
    assert "blur" in await _filter(page, "#post-text")
    # "r" reveals everything on the page on purpose; the image stays greyscale.
    await page.keyboard.press("r")
    assert await _filter(page, "#post-text") == "none"
    shot = await _filter(page, "img.shot")
    assert "grayscale(1)" in shot and "blur" not in shot, shot
    # ... and hides it again.
    await page.keyboard.press("r")
    assert "blur" in await _filter(page, "#post-text")
    # A click reveals just that screenshot.
    await page.click("img.shot")
    shot = await _filter(page, "img.shot")
    assert "blur" not in shot and "grayscale(1)" in shot
    # The moderators' reports page shows the same screenshot inline under the same rules.
    await page.goto(f"{server}/intake/items/{item_id}/reports")
    await page.wait_for_selector("img.shot")
    assert "blur" in await _filter(page, "img.shot")
    assert "blur" in await _filter(page, ".post-text")
    await page.context.close()


async def test_blur_off_shows_text_and_colour(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer
) -> None:
    make_users(db)
    item_id = await _forwarded_item(db, fake_scorer)
    _prefs(db, "officer", blur_text=False, greyscale_images=False)
    page = await login(browser, server, "officer")
    await page.goto(f"{server}/items/{item_id}")
    await page.wait_for_selector("img.shot")
    assert await _filter(page, "#post-text") == "none"
    assert await _filter(page, "img.shot") == "none"
    assert await page.query_selector("#reveal-hint") is None
    await page.context.close()
