"""The desk in a real browser: keyboard-only triage, undo, claims, hostile content."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from monitor.audit import chain as audit
from monitor.storage.db import Database
from monitor.storage.tables.review import Decision, QueueItem
from tests.support.desk import fill_queue, make_users
from tests.support.fakes import FakeScorer
from tests.support.web import PASSWORD

pytestmark = pytest.mark.e2e

XSS = ('<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> '
       "immigrants are scum")
TEN = [
    "kill all the immigrants, vermin",
    "muslims are scum, get out",
    "gay people are disgusting filth",
    XSS,
    "the disabled are parasites",
    "trans people are vermin",
    "foreigners get out, hate them",
    "lovely weather at the park today",
    "Jews are filth",
    "bus was late again",
]
ITEM_URL = re.compile(r"/items/(\d+)")
# Console errors and uncaught exceptions per page (a CSP violation shows up here).
CONSOLE: dict[int, list[str]] = {}


async def _login(context: Any, base: str, username: str) -> Any:
    page = await context.new_page()
    page.on("dialog", lambda d: pytest.fail(f"a dialog opened: {d.message}"))
    errors = CONSOLE.setdefault(id(page), [])
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(base + "/login")
    # The username field has autofocus; under load the browser can apply it a moment after the
    # load event, and keys typed before that would go nowhere.
    await page.wait_for_function("document.activeElement?.id === 'username'")
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith("/queue"), page.url
    return page


def _item_id(page: Any) -> int | None:
    m = ITEM_URL.search(page.url)
    return int(m.group(1)) if m else None


async def _press(page: Any, key: str) -> None:
    async with page.expect_navigation():
        await page.keyboard.press(key)


async def test_keyboard_triage_of_ten_with_undo_and_hostile_text(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer, artifacts: Path
) -> None:
    make_users(db)
    ids = fill_queue(db, fake_scorer, TEN)
    xss_item = ids[3]
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await _login(context, server, "officer")
    await page.screenshot(path=str(artifacts / "queue.png"), full_page=True)
    # j/k move the selection, ? opens help, Escape closes it.
    await page.keyboard.press("j")
    await page.keyboard.press("j")
    await page.keyboard.press("k")
    assert await page.locator("tr.row.selected").count() == 1
    await page.keyboard.press("?")
    assert await page.locator("#help").is_visible()
    await page.screenshot(path=str(artifacts / "help.png"))
    await page.keyboard.press("Escape")
    assert not await page.locator("#help").is_visible()

    started = time.monotonic()
    await _press(page, "n")
    seen: list[int] = []
    undone: int | None = None
    decisions = 0
    while (item := _item_id(page)) is not None:
        if item not in seen:
            seen.append(item)
        if len(seen) == 1:
            await page.screenshot(path=str(artifacts / "item.png"), full_page=True)
        if item == xss_item:
            text = await page.locator("#post-text").inner_text()
            assert "<script>window.pwned = 1</script>" in text and "onerror=" in text
            assert await page.evaluate("typeof window.pwned") == "undefined"
            assert await page.locator("#post-text img").count() == 0
            await page.screenshot(path=str(artifacts / "item-hostile.png"), full_page=True)
        decisions += 1
        if decisions == 2:
            await page.keyboard.press("h")  # focuses the rationale
            await page.keyboard.type("Dehumanising language about a protected group")
            await _press(page, "Control+Enter")
        elif decisions == 3:
            await page.keyboard.press("e")
            await page.keyboard.type("Explicit threat; refer for a crime report")
            await _press(page, "Control+Enter")
            # A possible crime opens its escalation form; carry on triage from there.
            assert "/cases/new" in page.url, page.url
            async with page.expect_navigation():
                await page.click("#skip-escalate")
        else:
            await _press(page, "d")
        if decisions == 4 and undone is None:
            # The next item opened by itself, with an undo offer for the one just decided.
            assert await page.locator("#undo-banner").is_visible()
            undone = seen[-1]
            await _press(page, "u")
            assert _item_id(page) == undone
            assert "Decision undone" in await page.locator("main").inner_text()
    elapsed = time.monotonic() - started
    assert "/queue" in page.url and "clear" in page.url
    assert await page.evaluate("typeof window.pwned") == "undefined"
    # The last decision can still be undone from the queue page.
    assert await page.locator("#undo-banner").is_visible()
    assert "s left" in await page.locator("#undo-left").inner_text()

    with db.read() as s:
        items = s.exec(select(QueueItem).where(col(QueueItem.id).in_(ids))).all()
        assert {i.status for i in items} == {"decided"}
        all_decisions = s.exec(select(Decision)).all()
        assert sum(d.undone_at is not None for d in all_decisions) == 1
        active = [d for d in all_decisions if d.undone_at is None]
        assert len(active) == 10
        outcomes = sorted(d.outcome for d in active)
        assert outcomes.count("hate_intelligence") == 1 and outcomes.count("possible_crime") == 1
        assert audit.verify(s).ok
    assert CONSOLE[id(page)] == [], CONSOLE[id(page)]
    print(f"\nkeyboard triage: 10 items (+1 undo) in {elapsed:.1f}s")
    await context.close()


async def test_two_sessions_never_share_a_claimed_item(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer
) -> None:
    make_users(db)
    fill_queue(db, fake_scorer, [f"post number {i}: immigrants are scum" for i in range(8)])
    ctx_a = await browser.new_context()
    ctx_b = await browser.new_context()
    a = await _login(ctx_a, server, "officer")
    b = await _login(ctx_b, server, "officer2")
    held_a: set[int] = set()
    held_b: set[int] = set()
    await asyncio.gather(a.goto(server + "/next"), b.goto(server + "/next"))
    for _ in range(3):
        ia, ib = _item_id(a), _item_id(b)
        assert ia is not None and ib is not None and ia != ib
        held_a.add(ia)
        held_b.add(ib)
        # B opening A's item sees it is taken and gets no decision form.
        await asyncio.gather(_press(a, "d"), _press(b, "d"))
    assert not held_a & held_b
    with db.read() as s:
        for d in s.exec(select(Decision)).all():
            assert (d.queue_item_id in held_a) == (d.user_id == 2)
    await ctx_a.close()
    await ctx_b.close()


async def test_claimed_item_is_read_only_for_the_other_officer(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer
) -> None:
    make_users(db)
    fill_queue(db, fake_scorer, ["muslims are scum"])
    ctx_a, ctx_b = await browser.new_context(), await browser.new_context()
    a = await _login(ctx_a, server, "officer")
    b = await _login(ctx_b, server, "officer2")
    await a.goto(server + "/next")
    item = _item_id(a)
    await b.goto(f"{server}/items/{item}")
    assert await b.locator("#claimed-elsewhere").is_visible()
    assert await b.locator("#decision-form").count() == 0
    await b.keyboard.press("d")  # no form: nothing happens
    await asyncio.sleep(0.3)
    assert _item_id(b) == item
    await ctx_a.close()
    await ctx_b.close()


async def test_clear_fifty_items_by_keyboard_with_wellness_blur(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer, artifacts: Path
) -> None:
    from monitor.accounts import sessions
    from monitor.accounts.users import get_user

    make_users(db)
    with db.write() as s:
        user = get_user(s, "officer")
        assert user is not None
        sessions.set_preferences(s, user.id or 0, {"blur_text": True})
    fill_queue(db, fake_scorer, [f"post {n}: immigrants are scum" if n % 2 else f"post {n}"
                                 for n in range(50)])
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await _login(context, server, "officer")
    await page.screenshot(path=str(artifacts / "queue-blurred.png"))
    started = time.monotonic()
    await _press(page, "n")
    count = 0
    while _item_id(page) is not None:
        await _press(page, "d")
        count += 1
        assert count <= 50
    elapsed = time.monotonic() - started
    assert count == 50 and "clear" in page.url
    with db.read() as s:
        assert not s.exec(select(QueueItem).where(QueueItem.status == "open")).all()
    print(f"\nkeyboard triage: 50 items in {elapsed:.1f}s ({elapsed / 50 * 1000:.0f} ms/item)")
    await context.close()


async def test_bulk_confirmation_and_form_errors_render(
    server: str, browser: Any, db: Database, fake_scorer: FakeScorer, artifacts: Path
) -> None:
    make_users(db)
    ids = fill_queue(db, fake_scorer, ["Send them all back, scum"] * 3 + ["hello"])
    context = await browser.new_context(viewport={"width": 1366, "height": 900})
    page = await _login(context, server, "officer")
    await page.click("a.group")
    assert await page.locator("input[name=item_ids]").count() == 3
    await page.click("#bulk-form button[type=submit]")  # not confirmed yet
    assert "Tick the box" in await page.locator("main").inner_text()
    await page.screenshot(path=str(artifacts / "bulk.png"), full_page=True)
    await page.check("#confirm")
    async with page.expect_navigation():
        await page.click("#bulk-form button[type=submit]")
    assert "Bulk decision recorded" in await page.locator("main").inner_text()
    await page.goto(f"{server}/items/{ids[3]}")
    await page.keyboard.press("e")
    await _press(page, "Control+Enter")  # no rationale: refused, nothing lost
    assert await page.locator("#form-errors").is_visible()
    assert await page.locator("#outcome-possible_crime").is_checked()
    await page.screenshot(path=str(artifacts / "item-form-errors.png"), full_page=True)
    await context.close()
