"""The API contract every framework serves: list parameters, limits and the error envelope.

Given code. Every error response, in all three frameworks, has this body:

    {"error": {"code": "not_found", "message": "No market with id 7.", "details": {}}}

`details` is always an object; for invalid input it maps each bad field or query parameter
to a list of messages: {"limit": ["Must be a positive integer."]}.
"""

from __future__ import annotations

import enum
import http
import re
from collections.abc import Mapping, Sequence
from typing import Any

from markets_rest.store import MarketNotFound, SlugTaken, StoreError

ORDERING_FIELDS = ("id", "name", "volume", "created_at")  # each may be prefixed with "-"
DEFAULT_ORDERING = "id"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100  # a larger `limit` is capped to this, not refused
MAX_WHOLE_NUMBER = 2**63 - 1  # the largest limit or offset a database (a bigint) can take
JSON_MEDIA_TYPE = "application/json"  # the only body the API reads; anything else is a 415

FieldErrors = dict[str, list[str]]

# A NUL or a lone surrogate (U+D800-U+DFFF, half of a UTF-16 pair) is valid in a JSON string
# ("\u0000", "\ud800") yet no database stores it: PostgreSQL refuses NUL in text, and a lone
# surrogate has no UTF-8 encoding. Every text field refuses both, in every framework.
UNSTORABLE_CHARACTERS = r"\x00\ud800-\udfff"  # a regex character range, escaped
UNSTORABLE_TEXT = "Text may not contain a NUL character or a lone surrogate (\\u0000, \\ud800)."


class ErrorCode(enum.StrEnum):
    INVALID_QUERY = "invalid_query"  # 400: a query parameter is malformed or not allowed
    INVALID_JSON = "invalid_json"  # 400: the body is not JSON at all
    VALIDATION_FAILED = "validation_failed"  # 400: JSON, but fields are missing or wrong
    NOT_FOUND = "not_found"  # 404
    METHOD_NOT_ALLOWED = "method_not_allowed"  # 405, with an Allow header
    CONFLICT = "conflict"  # 409: the slug is taken
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415: the body is not sent as JSON


class ApiError(Exception):
    """An HTTP error a view raises; each framework's error handler renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details: FieldErrors = {key: list(value) for key, value in (details or {}).items()}


def is_storable_text(value: str) -> bool:
    """False for text holding a NUL or a lone surrogate, which no database can store."""
    return re.search(f"[{UNSTORABLE_CHARACTERS}]", value) is None


def error_body(
    code: str, message: str, details: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any]:
    """The JSON error envelope."""
    return {
        "error": {
            "code": str(code),
            "message": message,
            "details": {key: [str(m) for m in value] for key, value in (details or {}).items()},
        }
    }


def invalid_query(details: Mapping[str, Sequence[str]]) -> ApiError:
    return ApiError(400, ErrorCode.INVALID_QUERY, "Invalid query parameters.", details)


def invalid_json(reason: str = "") -> ApiError:
    message = "The request body is not valid JSON."
    return ApiError(400, ErrorCode.INVALID_JSON, f"{message} {reason}".strip())


def validation_failed(details: Mapping[str, Sequence[str]]) -> ApiError:
    return ApiError(400, ErrorCode.VALIDATION_FAILED, "The market is not valid.", details)


def unsupported_media_type(content_type: str | None) -> ApiError:
    """The 415 for a body sent as anything but `application/json` (or with no Content-Type)."""
    sent = content_type or "no Content-Type"
    message = f"The body must be sent as {JSON_MEDIA_TYPE}, not {sent}."
    return ApiError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, message)


def is_json(content_type: str | None) -> bool:
    """True for `application/json`, with or without parameters (`; charset=utf-8`)."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE


def method_not_allowed(method: str) -> ApiError:
    return ApiError(405, ErrorCode.METHOD_NOT_ALLOWED, f"Method {method} is not allowed here.")


def code_for_status(status: int) -> str:
    """The envelope `code` for an HTTP error the framework raised itself (404, 405, 415…)."""
    return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def from_store_error(exc: StoreError) -> ApiError:
    """The HTTP error for what the store refused: 404 for a missing market, 409 for a slug."""
    if isinstance(exc, MarketNotFound):
        return ApiError(404, ErrorCode.NOT_FOUND, f"No market with id {exc.market_id}.")
    if isinstance(exc, SlugTaken):
        message = f"The slug {exc.slug!r} is already taken."
        return ApiError(409, ErrorCode.CONFLICT, message, {"slug": [message]})
    raise TypeError(f"no HTTP error is defined for {type(exc).__name__}") from exc
