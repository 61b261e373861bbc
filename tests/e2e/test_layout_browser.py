"""Layout at a common laptop width: the sources table is not cut off; the lawful-basis fields
stack label above field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from monitor.sources.basis import Basis
from monitor.sources.store import add_source
from monitor.storage.db import Database
from tests.e2e.test_wellness_browser import login
from tests.support.desk import make_users

pytestmark = pytest.mark.e2e


async def test_sources_table_fits_and_basis_fields_stack(
    server: str, browser: Any, db: Database
) -> None:
    make_users(db)
    today = date.today()
    with db.write() as s:
        add_source(s, name="a-very-long-source-name-for-the-town-square-discussion-group",
                   connector="rss", target="https://news.example.org/" + "x" * 120 + "/feed.xml",
                   actor="test", basis=Basis("POL/2026/001", "public feed", "Insp A", today,
                                             today + timedelta(days=90)))
    page = await login(browser, server, "admin")
    await page.goto(server + "/sources")
    box = await page.eval_on_selector(
        "#sources-table",
        "t => [t.getBoundingClientRect().right, document.documentElement.clientWidth]")
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth")
    assert not overflow, box
    await page.goto(server + "/sources/new")
    for key in ("basis_reference", "basis_scope", "basis_approved_on"):
        label = await page.eval_on_selector(f"label[for={key}]",
                                            "e => e.getBoundingClientRect().bottom")
        field = await page.eval_on_selector(f"#{key}", "e => e.getBoundingClientRect().top")
        assert field >= label - 1, key  # the field sits under its label
    await page.context.close()
