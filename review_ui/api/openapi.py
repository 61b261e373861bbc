"""The OpenAPI 3.1 document of the bot API, written by hand (tests keep it in step with the
validators in ``monitor.intake.reports`` and the routes in ``review_ui.api.v1``)."""

from __future__ import annotations

from typing import Any

from monitor.intake.images import MAX_SCREENSHOTS
from monitor.intake.reports import MAX_AUTHOR, MAX_GROUP, MAX_REASON, MAX_TEXT, MAX_URL, PLATFORMS
from monitor.intake.status import STATUS_LABELS


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


_AUTH_ERRORS: dict[str, Any] = {
    "401": _error("Missing, unknown or revoked token."),
    "429": {**_error("Rate limit for this token reached; wait Retry-After seconds."),
            "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1},
                                        "description": "Seconds to wait."}}},
}

_TEXT = {"type": "string", "minLength": 1, "pattern": r"^[^\x00]*\S[^\x00]*$"}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "hate-monitor moderator reports",
        "version": "1.0.0",
        "description": (
            "Community moderators' bots forward posts to the police cyber community support "
            "officer and read back what happened to them. Authenticate with a moderator's API "
            "token (created on the 'API tokens' page): `Authorization: Bearer <token>`. "
            "Each token is rate-limited (bursts of 10, then one request per 6 seconds). "
            "Errors are JSON objects naming the bad fields."
        ),
    },
    "security": [{"bearer": []}],
    "paths": {
        "/reports": {
            "post": {
                "operationId": "createReport",
                "summary": "Forward a post",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ReportCreate"}}},
                },
                "responses": {
                    "201": {
                        "description": "Received.",
                        "headers": {"Location": {"schema": {"type": "string"}}},
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Report"}}},
                    },
                    "400": _error("A field is missing or invalid; `fields` names each."),
                    **_AUTH_ERRORS,
                    "413": _error("The body or a screenshot is too large."),
                    "415": _error("The body is not JSON."),
                    "503": _error("The service is starting up; retry after Retry-After."),
                },
            },
            "get": {
                "operationId": "listReports",
                "summary": "Your own reports, newest first, with their status",
                "responses": {
                    "200": {"description": "Your reports.", "content": {"application/json": {
                        "schema": {"type": "object", "required": ["reports"], "properties": {
                            "reports": {"type": "array",
                                        "items": {"$ref": "#/components/schemas/Report"}}}}}}},
                    **_AUTH_ERRORS,
                },
            },
        },
        "/reports/{report_id}": {
            "get": {
                "operationId": "getReport",
                "summary": "One of your reports",
                "parameters": [{"name": "report_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1,
                                           "maximum": 2**31 - 1}}],
                "responses": {
                    "200": {"description": "The report.", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Report"}}}},
                    "404": _error("You have no report with this id."),
                    **_AUTH_ERRORS,
                },
            },
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {}}}},
            },
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                       "description": "A moderator's API token (hmr_...)."}},
        "schemas": {
            "ReportCreate": {
                "type": "object",
                "additionalProperties": False,
                "required": ["url", "text", "platform", "group", "reason"],
                "properties": {
                    "url": {**_TEXT, "format": "uri", "maxLength": MAX_URL,
                            "description": "Link to the post (http or https)."},
                    "text": {**_TEXT, "maxLength": MAX_TEXT,
                             "description": "The post's text as the moderator saw it."},
                    "platform": {"type": "string", "enum": list(PLATFORMS)},
                    "group": {**_TEXT, "maxLength": MAX_GROUP,
                              "description": "The group, page or channel it was posted in."},
                    "reason": {**_TEXT, "maxLength": MAX_REASON,
                               "description": "Why the moderator is worried."},
                    "author": {"type": "string", "maxLength": MAX_AUTHOR,
                               "description": "Who posted it, if known."},
                    "screenshots": {
                        "type": "array", "maxItems": MAX_SCREENSHOTS,
                        "items": {"$ref": "#/components/schemas/Screenshot"},
                    },
                },
            },
            "Screenshot": {
                "type": "object",
                "additionalProperties": False,
                "required": ["content_base64"],
                "properties": {
                    "filename": {"type": "string", "maxLength": 255},
                    "content_base64": {"type": "string", "contentEncoding": "base64",
                                       "description": "A PNG or JPEG of at most 5 MB; "
                                       "metadata is stripped before storage."},
                },
            },
            "Report": {
                "type": "object",
                "required": ["id", "url", "platform", "group", "created_at", "status",
                             "status_label", "message", "capture_kind", "screenshots"],
                "properties": {
                    "id": {"type": "integer"},
                    "url": {"type": "string"},
                    "platform": {"type": "string"},
                    "group": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "status": {"type": "string", "enum": list(STATUS_LABELS)},
                    "status_label": {"type": "string"},
                    "message": {"type": ["string", "null"],
                                "description": "The officer's message to you, if any."},
                    "capture_kind": {"type": "string", "enum": ["canonical", "moderator_copy"]},
                    "screenshots": {"type": "integer"},
                    "fetch_note": {"type": ["string", "null"],
                                   "description": "Why the post could not be fetched."},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error", "status"],
                "properties": {
                    "error": {"type": "string"},
                    "status": {"type": "integer"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
    },
}
