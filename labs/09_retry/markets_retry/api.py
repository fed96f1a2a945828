"""The small API every framework serves, and its error envelope. Given code.

    GET /markets/{id}/price     200 {"market_id": 1, "price": "0.42"}, from the pricing service

Every error, in every framework, is `{"error": {"code", "message", "details"}}`, sent as
`application/json`; an `ApiError` may add headers (a 503's `Retry-After`).
"""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

MAX_ID = 2**63 - 1  # the largest id a database (a bigint) can hold


class ApiError(Exception):
    """An HTTP error a view raises; each framework's error handler renders it."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


def error_body(code: str, message: str) -> dict[str, Any]:
    """The JSON error envelope (this API has no field errors: `details` is always `{}`)."""
    return {"error": {"code": code, "message": message, "details": {}}}


def code_for_status(status: int) -> str:
    """The envelope `code` for an error the framework raised itself: 404 → `not_found`."""
    return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def not_found(raw_id: object) -> ApiError:
    return ApiError(404, "not_found", f"No market with id {str(raw_id)[:20]!r}.")


def parse_market_id(raw: str) -> int:
    """The id in the path, or a 404: ASCII digits only, 1 to 2**63 - 1.

    `"٧".isdigit()` is True and `int("٧")` is 7: a path id is checked as ASCII first, so no
    such id ever reaches the pricing service.
    """
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        raise not_found(raw)
    market_id = int(raw)
    if not 1 <= market_id <= MAX_ID:
        raise not_found(raw)
    return market_id
