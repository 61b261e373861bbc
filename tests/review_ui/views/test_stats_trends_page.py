"""The statistics page shows weekly trends with tables and a CSV."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from tests.review_ui.views.test_cases import items, new_client  # noqa: F401 (fixtures)
from tests.support.web import Client, login


async def test_trends_on_the_page_and_as_csv(
    new_client: Callable[[], Awaitable[Client]], items: list[int],  # noqa: F811
) -> None:
    client = await new_client()
    await login(client, "officer")
    page = await (await client.get("/stats")).text()
    for key in ("items", "decisions", "cases", "median", "reviewed"):
        assert f'id="trend-{key}"' in page
    assert 'href="/queue?status=all&amp;since=' in page
    r = await client.get("/stats/trends.csv")
    assert r.status == 200 and r.content_type == "text/csv"
    assert (await r.text()).startswith("Chart,Week starting,Series,Value")
    r = await client.get("/stats/trends.csv?since=nonsense")
    assert r.status == 400 and "since" in await r.text()
