"""Every registered route, walked anonymously and with every role."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from review_ui.access import PUBLIC, ROUTE_ROLES
from tests.support.desk import ROLES
from tests.support.web import Client, csrf_of, login

PLACEHOLDER = re.compile(r"\{[^}]+\}")


def _routes(app: web.Application) -> list[tuple[str, str, frozenset[str]]]:
    roles = app[ROUTE_ROLES]
    out = []
    for route in app.router.routes():
        if isinstance(route.resource, web.StaticResource):
            continue
        assert route in roles, f"{route.method} {route.resource} declares no roles"
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter", "")
        out.append((route.method, path, roles[route]))
    # Log out last, or it would end the session half-way through the walk.
    return sorted(out, key=lambda r: r[1] == "/logout")


def _fill(path: str, item_id: int) -> str:
    path = path.replace("{item_id}", str(item_id)).replace("{decision_id}", "999999")
    path = path.replace("{reference}", "HM-2026-000001").replace("{token}", "not-a-token")
    for name in ("{token_id}", "{shot_id}", "{report_id}"):
        path = path.replace(name, "999999")
    return PLACEHOLDER.sub("1", path)  # other tables' parameters: any value reaches the check


async def _walk(client: Client, token: str, item_id: int, role: str | None) -> list[str]:
    problems = []
    for method, path, allowed in _routes(client.app):
        url = _fill(path, item_id)
        if path == "/bulk":
            url += "?kind=author&key=nobody"
        r = await client.request(method, url, headers={"X-CSRF-Token": token},
                                 allow_redirects=False)
        if allowed is PUBLIC:
            # Public routes answer on their own terms (a bad login is 401, a bearer API 401).
            ok = r.status < 500
        elif role is None:
            if method == "GET" and not path.startswith("/api/"):
                ok = r.status == 303 and r.headers["Location"].startswith("/login?next=")
            else:
                ok = r.status == 401
        elif role in allowed:
            ok = r.status not in (401, 403) and r.status < 500
        else:
            ok = r.status == 403
        if not ok:
            problems.append(f"{role or 'anonymous'} {method} {url} -> {r.status}")
    return problems


async def test_every_route_with_every_role(
    make_client: Callable[[], Awaitable[Client]], populated: list[int]
) -> None:
    problems: list[str] = []
    for role in (None, *ROLES):
        client = await make_client()
        if role is None:
            token = csrf_of(await (await client.get("/login")).text())
        else:
            token = await login(client, role)
        problems += await _walk(client, token, populated[0], role)
    assert not problems, "\n".join(problems)


async def test_moderator_is_kept_off_the_desk(client: Client) -> None:
    await login(client, "moderator")
    for path in ("/queue", "/next", "/items/1", "/bulk?kind=author&key=x"):
        r = await client.get(path, allow_redirects=False)
        assert r.status == 403, path
    r = await client.get("/")
    assert r.status == 200 and "moderator" in (await r.text())


async def test_unknown_path_is_a_rendered_404(client: Client) -> None:
    r = await client.get("/no/such/page")
    assert r.status == 404
    html = await r.text()
    assert "There is nothing at this address" in html and "Traceback" not in html


async def test_out_of_range_ids_are_404_not_500(
    make_client: Callable[[], Awaitable[Client]], populated: list[int]
) -> None:
    client = await make_client()
    await login(client, "officer")
    for raw in ("99999999999", "2147483648", "²"):
        r = await client.get(f"/items/{raw}", allow_redirects=False)
        assert r.status == 404, raw
