"""Every query and form value goes through review_ui.params: an edge value is a 400 naming the
field (or a page that explains it), never a 500. The reported cases first, then every route
with generated values (hypothesis)."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from monitor.config import Settings
from monitor.storage.db import Database
from review_ui.app import create_app
from review_ui.routes import ROUTES
from tests.support.fakes import FakeScorer
from tests.support.web import Client, login

BIG = "9" * 23
REPORTED_GETS = [
    ("/items/1?undo=²", "undo"),
    (f"/items/1?undo={BIG}", "undo"),
    ("/queue?source=²", None),
    (f"/queue?source={'9' * 20}", None),
    ("/queue?until=9999-12-31", None),
    ("/queue?strand=religon", "strand"),
    ("/next?after=²", "after"),
    (f"/next?after={BIG}", "after"),
    ("/cases/new?items=²", "items"),
    (f"/cases/new?items={BIG}", "items"),
    ("/stats.csv?until=9999-12-31", "until"),
    ("/stats?since=0001-01-01", "since"),
    ("/audit?before=²", "before"),
    (f"/audit?before={BIG}", "before"),
    ("/audit?until=9999-12-31", None),
]


async def test_reported_edge_values_are_400s(client: Client) -> None:
    await login(client, "admin")
    for url, field in REPORTED_GETS:
        r = await client.get(url, allow_redirects=False)
        body = await r.text()
        assert r.status == 400, (url, r.status, body[:300])
        if field:
            assert field in body, (url, body[:300])


async def test_reported_edge_form_ids_are_400s(client: Client) -> None:
    csrf = await login(client, "admin")
    for ids in ("²", BIG, "1,²"):
        bulk = await client.post("/bulk", data={"csrf_token": csrf, "item_ids": ids,
                                                "kind": "author", "key": "a",
                                                "outcome": "not_hate", "confirm": "yes"},
                                 allow_redirects=False)
        assert bulk.status == 400 and "item_ids" in await bulk.text(), ids
        case = await client.post("/cases", data={"csrf_token": csrf, "items": ids,
                                                 "title": "t", "reason": "r"},
                                 allow_redirects=False)
        assert case.status == 400 and "items" in await case.text(), ids


EDGE = st.sampled_from([
    "²", "١", "１", BIG, "9" * 20, "2147483648", "2147483647", "-1", "0", "1", "", " ", "nan",
    "inf", "1e400", "\x00", "9999-12-31", "0001-01-01", "2026-02-30", "2026-11-28", "null",
    "%", "../..", "<script>", "a" * 300, "open", "all", "prev", "next",
])
VALUES = st.one_of(EDGE, st.text(max_size=20), st.integers().map(str))
FIELDS = ["undo", "after", "before", "source", "since", "until", "items", "item_ids", "status",
          "severity", "strand", "platform", "min_score", "max_score", "dir", "msg", "next",
          "outcome", "strands", "offences", "perceived_by", "rationale", "kind", "key", "q",
          "confirm", "reason", "title", "existing", "assignee", "role", "name", "contact",
          "body", "justification", "recipient", "crime_reference", "perception", "limit",
          "cursor", "text", "url", "interval_minutes", "action", "actor", "object_id"]
PARAMS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=5)
# Routes that end the session or act on it: exercising them would only log the client out.
SKIP = {"/logout", "/login", "/login/totp", "/account/totp", "/account/totp/disable", "/static"}
TESTED = [r for r in ROUTES if r.path not in SKIP]
PATH_PARAM = re.compile(r"\{[^}]+\}")


def _url(path: str, part: str) -> str:
    return PATH_PARAM.sub(quote(part, safe="") or "x", path)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_no_route_gives_a_500_for_any_value(
    settings: Settings, db: Database, fake_scorer: FakeScorer, populated: list[int]
) -> None:
    loop = asyncio.new_event_loop()
    client: TestClient[Any, Any] = TestClient(
        TestServer(create_app(settings, db=db, scorer=fake_scorer)), loop=loop)
    loop.run_until_complete(client.start_server())
    try:
        csrf = loop.run_until_complete(login(client, "admin"))

        @hyp_settings(max_examples=100, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])
        @given(route=st.sampled_from(TESTED), part=VALUES, params=PARAMS)
        def check(route: Any, part: str, params: dict[str, str]) -> None:
            url = _url(route.path, part)

            async def go() -> int:
                if route.method == "GET":
                    r = await client.get(url, params=params, allow_redirects=False)
                else:
                    r = await client.post(url, data={**params, "csrf_token": csrf},
                                          allow_redirects=False)
                await r.read()
                return r.status

            status = loop.run_until_complete(go())
            assert status < 500, (route.method, url, params, status)

        check()
    finally:
        loop.run_until_complete(client.close())
        loop.close()

