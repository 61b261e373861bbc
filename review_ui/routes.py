"""The route table: every path, its method, its handler and the roles allowed on it, joined from
the ``ROUTES`` each page module exports.

Nothing is registered anywhere else (``create_app`` adds exactly these, plus ``/static``), so
this table is the whole access policy (a test walks it with every role and anonymously)."""

from __future__ import annotations

from review_ui.access import Route
from review_ui.api import v1
from review_ui.views import (
    account,
    audit,
    auth,
    bulk,
    cases,
    health,
    intake,
    intelligence,
    item,
    metrics,
    queue,
    source_losses,
    sources,
    stats,
    users,
)

ROUTES: tuple[Route, ...] = (
    *health.ROUTES,
    *auth.ROUTES,
    *account.ROUTES,
    *queue.ROUTES,
    *item.ROUTES,
    *intelligence.ROUTES,
    *bulk.ROUTES,
    *cases.ROUTES,
    *stats.ROUTES,
    *audit.ROUTES,
    *intake.ROUTES,
    *sources.ROUTES,
    *source_losses.ROUTES,
    *metrics.ROUTES,
    *users.ROUTES,
    *v1.ROUTES,
)
