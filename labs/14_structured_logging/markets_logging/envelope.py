"""The error envelope of every response, with the request id (docs/design.md §2). Given.

    {"error": {"code": "not_found", "message": "No market with id 7.", "details": {},
               "request_id": "6f1c…"}}

`request_id` is the value of the response's `X-Request-ID` header: a user who quotes it to
support leads straight to this request's log lines.
"""

from __future__ import annotations

import http
from typing import Any

GENERIC_500 = "Something went wrong on our side; quote the request id to support."


def error_body(code: str, message: str, request_id: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": {}, "request_id": request_id}}


def code_for_status(status: int) -> str:
    """`not_found` for 404, `method_not_allowed` for 405…: the code of a framework's own error."""
    return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def not_found(market_id: int, request_id: str) -> dict[str, Any]:
    return error_body("not_found", f"No market with id {market_id}.", request_id)


def server_error(request_id: str) -> dict[str, Any]:
    """A 500 that reveals nothing: no exception text, no traceback."""
    return error_body("internal_error", GENERIC_500, request_id)
