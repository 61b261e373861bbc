"""The queue shows the priority it is sorted by, and what makes it up."""

from __future__ import annotations

import re

from sqlmodel import col, select

from monitor.storage.db import Database
from monitor.storage.tables.review import QueueItem
from tests.support.web import Client, login


async def test_queue_column_is_the_sort_key_with_its_parts(
    client: Client, db: Database, populated: list[int]
) -> None:
    await login(client, "officer")
    r = await client.get("/queue")
    page = await r.text()
    assert '<th scope="col" title="The queue is sorted by this' in page and ">Priority</th>" in page
    shown = [float(v) for v in re.findall(r'<span class="prio">([0-9.]+)</span>', page)]
    assert shown == sorted(shown, reverse=True) and len(shown) >= 5
    with db.read() as s:
        top = s.exec(select(QueueItem).order_by(col(QueueItem.priority).desc())).first()
    assert top is not None and shown[0] == round(top.priority, 2)
    # Its parts, on hover (title) and in the "why" column.
    assert 'title="priority ' in page and "p(hate) +" in page and "Severity +" in page
    assert "Recency +" in page


async def test_item_page_explains_its_priority(client: Client, populated: list[int]) -> None:
    await login(client, "officer")
    page = await (await client.get(f"/items/{populated[0]}")).text()
    assert 'id="priority-parts"' in page and "Queue priority" in page
