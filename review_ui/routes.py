"""The route table: every path, its method, its handler and the roles allowed on it.

Nothing is registered anywhere else, so this table is the whole access policy (a test walks it
with every role and anonymously)."""

from __future__ import annotations

from review_ui.access import ANY_USER, DESK, PUBLIC, Route
from review_ui.views import account, auth, bulk, health, item, queue

ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", health.healthz, PUBLIC, "healthz"),
    Route("GET", "/login", auth.login_form, PUBLIC, "login_form"),
    Route("POST", "/login", auth.login, PUBLIC, "login"),
    Route("GET", "/login/totp", auth.totp_form, PUBLIC, "totp_form"),
    Route("POST", "/login/totp", auth.totp_verify, PUBLIC, "totp_verify"),
    Route("POST", "/logout", auth.logout, ANY_USER, "logout"),
    Route("GET", "/", auth.home, ANY_USER, "home"),
    Route("GET", "/account", account.account, ANY_USER, "account"),
    Route("POST", "/account/preferences", account.save_preferences, ANY_USER, "preferences"),
    Route("GET", "/account/totp", account.totp_enrol_form, ANY_USER, "totp_enrol_form"),
    Route("POST", "/account/totp", account.totp_enrol, ANY_USER, "totp_enrol"),
    Route("POST", "/account/totp/disable", account.totp_disable, ANY_USER, "totp_disable"),
    Route("GET", "/queue", queue.queue_page, DESK, "queue"),
    Route("GET", "/next", queue.next_item, DESK, "next"),
    Route("GET", "/items/{item_id}", item.item_page, DESK, "item"),
    Route("POST", "/items/{item_id}/decide", item.decide, DESK, "decide"),
    Route("POST", "/items/{item_id}/release", item.release, DESK, "release"),
    Route("GET", "/items/{item_id}/evidence", item.evidence_form, DESK, "evidence_form"),
    Route("POST", "/items/{item_id}/evidence", item.evidence, DESK, "evidence"),
    Route("POST", "/decisions/{decision_id}/undo", item.undo, DESK, "undo"),
    Route("GET", "/bulk", bulk.bulk_form, DESK, "bulk_form"),
    Route("POST", "/bulk", bulk.bulk_apply, DESK, "bulk"),
    Route("POST", "/api/items/{item_id}/claim", item.claim_api, DESK, "claim"),
)
