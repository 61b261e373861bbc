"""The bot API: bearer tokens, JSON errors naming fields, rate limit, no cookies, OpenAPI."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlmodel import select

from monitor.accounts.moderators import create_token
from monitor.intake.reports import PLATFORMS
from monitor.storage.db import Database
from monitor.storage.tables.accounts import User
from monitor.storage.tables.reports import ApiToken, Report
from review_ui.api import v1 as api_v1
from review_ui.api.openapi import OPENAPI
from review_ui.keys import INTAKE
from tests.support.intake import png_bytes
from tests.support.web import Client

# Only a string in the report: the tests never contact the platform.
REPORTED_URL = "https://www.reddit.com/r/town/comments/abc/x/"
BODY = {
    "url": REPORTED_URL,
    "text": "trans people are vermin",
    "platform": "reddit",
    "group": "r/town",
    "reason": "dehumanising language in our local subreddit",
}


@pytest.fixture
def token(db: Database, mod_a: User) -> str:
    with db.write() as s:
        return create_token(s, user=mod_a, name="bot").secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_bot_creates_a_report_and_reads_its_status(
    web_client: Client, db: Database, token: str
) -> None:
    shot = base64.b64encode(png_bytes()).decode()
    r = await web_client.post("/api/v1/reports", headers=bearer(token),
                              json={**BODY, "screenshots": [{"filename": "s.png",
                                                             "content_base64": shot}]})
    assert r.status == 201, await r.text()
    assert "Set-Cookie" not in r.headers  # the API never starts a session
    body = await r.json()
    assert body["status"] == "received" and body["screenshots"] == 1
    assert body["capture_kind"] == "moderator_copy"  # no Reddit credentials: nothing fetched
    assert r.headers["Location"] == f"/api/v1/reports/{body['id']}"
    one = await web_client.get(r.headers["Location"], headers=bearer(token))
    assert (await one.json())["id"] == body["id"]
    listing = await (await web_client.get("/api/v1/reports", headers=bearer(token))).json()
    assert [x["id"] for x in listing["reports"]] == [body["id"]]
    with db.read() as s:
        rep = s.exec(select(Report)).one()
        tok = s.exec(select(ApiToken)).one()
        assert rep.channel == "api" and rep.api_token_id == tok.id
        assert tok.last_used_at is not None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "Bearer"),
        ({"Authorization": "Basic bW9kOnB3"}, "Bearer"),
        ({"Authorization": "Bearer hmr_wrong"}, "not valid"),
    ],
)
async def test_wrong_or_missing_token_is_401(
    web_client: Client, headers: dict[str, str], expected: str
) -> None:
    r = await web_client.post("/api/v1/reports", headers=headers, json=BODY)
    assert r.status == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert expected in (await r.json())["error"]


async def test_session_cookie_does_not_authenticate_the_api(
    web_client: Client, mod_a: User
) -> None:
    from tests.support.web import login

    await login(web_client, "mod_a")  # the client now holds a logged-in session cookie
    r = await web_client.post("/api/v1/reports", json=BODY)
    assert r.status == 401


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({**BODY, "url": "ftp://x.org/p"}, "url", 400),
        ({k: v for k, v in BODY.items() if k != "reason"}, "reason", 400),
        ({**BODY, "platform": "myspace"}, "platform", 400),
        ({**BODY, "text": 5}, "text", 400),
        ({**BODY, "colour": "red"}, "colour", 400),
        ({**BODY, "screenshots": "x"}, "screenshots", 400),
        ({**BODY, "screenshots": [{"content_base64": "!!!"}]}, "screenshots[0].content_base64",
         400),
        ({**BODY, "screenshots": [{"content_base64": base64.b64encode(b"GIF89a").decode()}]},
         "screenshots", 400),
        ({**BODY, "screenshots": [{"content_base64": "A" * 8_000_000}]},
         "screenshots[0].content_base64", 413),
    ],
)
async def test_bad_fields_are_named(
    web_client: Client, token: str, body: dict[str, Any], field: str, status: int
) -> None:
    r = await web_client.post("/api/v1/reports", headers=bearer(token), json=body)
    assert r.status == status, await r.text()
    fields = (await r.json()).get("fields", {})
    # An oversize body may be stopped by the server's body cap before the field is read.
    assert field in fields or (status == 413 and "body" in fields), await r.text()


async def test_not_json_and_not_an_object(web_client: Client, token: str) -> None:
    r = await web_client.post("/api/v1/reports", headers=bearer(token), data="url=x")
    assert r.status == 415
    r = await web_client.post("/api/v1/reports", data="{nope",
                              headers={**bearer(token), "Content-Type": "application/json"})
    assert r.status == 400 and "not valid JSON" in (await r.json())["error"]
    r = await web_client.post("/api/v1/reports", headers=bearer(token), json=[1, 2])
    assert r.status == 400 and "JSON object" in (await r.json())["error"]
    deep = "[" * 100_000 + "]" * 100_000
    r = await web_client.post("/api/v1/reports", data=deep,
                              headers={**bearer(token), "Content-Type": "application/json"})
    assert r.status == 400


async def test_someone_elses_report_is_404(
    web_client: Client, db: Database, token: str, mod_b: User
) -> None:
    with db.write() as s:
        other = create_token(s, user=mod_b, name="b").secret
    r = await web_client.post("/api/v1/reports", headers=bearer(other), json=BODY)
    rid = (await r.json())["id"]
    mine = await web_client.get(f"/api/v1/reports/{rid}", headers=bearer(token))
    assert mine.status == 404
    assert (await (await web_client.get("/api/v1/reports", headers=bearer(token))).json()) == {
        "reports": []}
    for bad in ("abc", "2702296780", "9" * 30):  # the last two overflow PostgreSQL's integer
        r = await web_client.get(f"/api/v1/reports/{bad}", headers=bearer(token))
        assert r.status == 404


async def test_rate_limit_answers_429_with_retry_after(web_client: Client, token: str) -> None:
    web_client.app[INTAKE].bucket.burst = 2.0
    codes = []
    for _ in range(3):
        r = await web_client.get("/api/v1/reports", headers=bearer(token))
        codes.append(r.status)
    assert codes == [200, 200, 429]
    assert int(r.headers["Retry-After"]) >= 1
    assert "too many requests" in (await r.json())["error"]


async def test_openapi_document_matches_the_validators(web_client: Client) -> None:
    r = await web_client.get("/api/v1/openapi.json")
    assert r.status == 200 and "Set-Cookie" not in r.headers
    doc = await r.json()
    assert doc["openapi"].startswith("3.1")
    schema = doc["components"]["schemas"]["ReportCreate"]
    assert set(schema["properties"]) == api_v1.FIELDS
    assert set(schema["required"]) == {"url", "text", "platform", "group", "reason"}
    assert schema["properties"]["platform"]["enum"] == list(PLATFORMS)
    paths = {(m.upper(), "/api/v1" + p) for p, ops in OPENAPI["paths"].items() for m in ops}
    served = {(r.method, r.path.replace("{report_id}", "{report_id}")) for r in api_v1.ROUTES}
    assert paths == served


def test_openapi_document_is_valid_openapi_31() -> None:
    schemathesis = pytest.importorskip("schemathesis")
    schemathesis.openapi.from_dict(OPENAPI).validate()  # the OAS 3.1 meta-schema
