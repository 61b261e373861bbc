"""Templates: Jinja2 with autoescaping always on. Post content is hostile input; no template
ever marks it ``|safe``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from aiohttp import web
from markupsafe import Markup

from monitor.accounts import sessions
from monitor.review import vocabulary
from review_ui import keys

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _age(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = max(0, int((datetime.now(UTC) - value).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _when(value: datetime | None) -> str:
    return vocabulary.when(value)


def _web_link(value: str | None) -> str | None:
    """Only http(s) URLs become links: an imported post could carry ``javascript:`` or
    ``data:`` as its "original URL"."""
    if value and value.lower().startswith(("https://", "http://")) and urlsplit(value).netloc:
        return value
    return None


def _original_link(value: str | None, element_id: str = "") -> Markup:
    """The one way a captured post's URL is shown (item page, case page): a link only when
    _web_link allows it, otherwise the text with a note. The CSP would block a javascript: link
    anyway; this keeps it from being rendered at all."""
    url = _web_link(value)
    if url is None:
        return Markup('<span class="wrap">{}</span> <span class="muted">(not a web address; '
                      "not linked)</span>").format(value or "")
    id_attr = Markup(' id="{}"').format(element_id) if element_id else ""
    return Markup('<a href="{}" rel="noopener noreferrer nofollow" target="_blank" '
                  'class="wrap"{}>{}</a>').format(url, id_attr, url)


def _handle(value: str | None) -> Markup:
    """An author handle, isolated: a handle holding U+202E (right-to-left override) must not
    reorder the text around it."""
    return Markup('<bdi dir="auto">{}</bdi>').format(value or "")


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["age"] = _age
    env.filters["when"] = _when
    env.filters["label"] = lambda code, kind, empty="-": vocabulary.label(kind, code, empty=empty)
    env.filters["web_link"] = _web_link
    env.filters["original_link"] = _original_link
    env.filters["handle"] = _handle
    env.filters["pct"] = lambda v: f"{float(v) * 100:.0f}%"
    env.globals["urlencode"] = urlencode
    return env


def render(
    request: web.Request, template: str, context: dict[str, Any] | None = None, *,
    status: int = 200,
) -> web.Response:
    ctx: dict[str, Any] = dict(context or {})
    session = request.get(keys.NEW_SESSION) or request.get(keys.SESSION)
    user = request.get(keys.USER)
    ctx.setdefault("user", user)
    # Versioned static URLs, so a browser never runs a stale desk.js after an upgrade.
    static = request.app.router["static"]
    ctx.setdefault("static_url", lambda name: str(static.url_for(filename=name)))
    ctx.setdefault("csrf_token", session.csrf if session else "")
    prefs = sessions.preferences(user) if user is not None else {}
    ctx.setdefault("body_classes", " ".join(
        c for k, c in (("blur_text", "wellness-blur"), ("greyscale_images", "wellness-grey"))
        if prefs.get(k)
    ))
    html = request.app[keys.JINJA].get_template(template).render(ctx)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
