"""Who may call what: each route declares its roles in ``routes.ROUTES``; the rest is denied."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Handler

PUBLIC: Final = frozenset({"*"})  # no login needed (login, health, static)
ANY_USER: Final = frozenset({"admin", "officer", "moderator"})
DESK: Final = frozenset({"admin", "officer"})


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    path: str
    handler: Handler
    roles: frozenset[str]
    name: str


ROUTE_ROLES = web.AppKey("route_roles", dict[web.AbstractRoute, frozenset[str]])


def roles_for(request: web.Request) -> frozenset[str]:
    """The roles allowed on the matched route; an undeclared route allows nobody."""
    route = request.match_info.route
    if isinstance(route.resource, web.StaticResource) or request.match_info.http_exception:
        return PUBLIC
    return request.app[ROUTE_ROLES].get(route, frozenset())
