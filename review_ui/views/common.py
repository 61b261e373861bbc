"""Small helpers every view uses."""

from __future__ import annotations

from urllib.parse import urlencode

from aiohttp import web

from models.types import UNKNOWN_STRAND
from monitor.accounts.throttle import client_ip, parse_networks
from monitor.intake.reports import ReportInput, ReportOutcome, submit_report
from monitor.review import queue
from monitor.review.priority import PriorityWeights
from monitor.storage.tables.accounts import User
from review_ui import keys

MESSAGES = {
    "clear": "The queue is clear for these filters.",
    "undone": "Decision undone; the item is open again.",
    "bulk": "Bulk decision recorded.",
    "prefs": "Preferences saved.",
    "totp_on": "Two-factor sign-in is on.",
    "totp_off": "Two-factor sign-in is off.",
    "released": "Item released back to the queue.",
    "taken": "That item is being reviewed by someone else; here is the next one.",
}


def current_user(request: web.Request) -> User:
    user: User | None = request.get(keys.USER)
    if user is None:  # the auth middleware guarantees a user on non-public routes
        raise web.HTTPUnauthorized()
    return user


def user_id(request: web.Request) -> int:
    return current_user(request).id or 0


def client_address(request: web.Request) -> str:
    """The client's address: X-Forwarded-For only when the peer is a trusted proxy."""
    trusted = parse_networks(request.app[keys.SETTINGS]["service.trusted_proxies"])
    return client_ip(request.remote, request.headers.getall("X-Forwarded-For", []), trusted)


def message(request: web.Request) -> str | None:
    return MESSAGES.get(request.query.get("msg", ""))


def with_query(path: str, params: dict[str, str]) -> str:
    clean = {k: v for k, v in params.items() if v}
    return f"{path}?{urlencode(clean)}" if clean else path


MAX_ID = 2**31 - 1


def int_param(request: web.Request, name: str) -> int:
    raw = request.match_info.get(name, "")
    # isascii: "²".isdigit() is True; the bound keeps PostgreSQL's INTEGER from overflowing.
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        raise web.HTTPNotFound()
    return int(raw)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: an open redirect would make a phishing link look like ours."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


class ModelUnavailable(Exception):
    """The classifier is not loaded yet; the report cannot be scored now."""


async def submit(
    request: web.Request, *, user: User, data: ReportInput,
    screenshots: list[tuple[bytes, str | None]], channel: str, api_token_id: int | None = None,
) -> ReportOutcome:
    app = request.app
    slot = app[keys.MODEL]
    if slot.scorer is None:
        raise ModelUnavailable(slot.error or "the classifier is still loading")
    settings = app[keys.SETTINGS]
    return await submit_report(
        app[keys.DB], slot.scorer, reporter=user, data=data, screenshots=screenshots,
        weights=PriorityWeights.from_settings(settings), channel=channel,
        api_token_id=api_token_id, fetch_canonical=app[keys.INTAKE].fetch_canonical,
        retention_days=settings["retention.dismissed_days"],
    )


def desk_strands(request: web.Request) -> list[str]:
    """The strands the queue offers: the configured ones, and threats whose target is unknown."""
    return [*request.app[keys.SETTINGS]["model.strands"], UNKNOWN_STRAND]


def queue_filters(request: web.Request) -> tuple[queue.QueueFilters, dict[str, str]]:
    """The queue filters a desk URL carries (the queue, /next, an item and its redirects all
    keep them), with what was wrong with any of them."""
    return queue.parse_filters(request.query, strands=desk_strands(request))
