from __future__ import annotations

from tests.support.web import Client, login


async def test_healthz_and_login_and_queue(client: Client) -> None:
    r = await client.get("/healthz")
    body = await r.json()
    assert r.status == 200, body
    assert body["database"]["ok"] and body["model"]["version"] == "fake-1"
    csrf = await login(client, "officer")
    r = await client.get("/queue")
    html = await r.text()
    assert r.status == 200, html
    assert "kill all the immigrants" in html
    assert csrf
