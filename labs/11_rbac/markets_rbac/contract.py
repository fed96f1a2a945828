"""The HTTP contract every framework serves: the error envelope and each error's status. Given.

    {"error": {"code": "forbidden", "message": "…", "details": {}}}

401 carries `WWW-Authenticate: Bearer realm="markets"` (RFC 6750 §3), with
`error="invalid_token"` when a token was sent and refused; 403 never does: the caller is
known, and new credentials would not help.
"""

from __future__ import annotations

import http
from collections.abc import Mapping, Sequence
from typing import Any

from markets_rbac.domain import (
    AccessDenied,
    DomainError,
    InvalidTransition,
    MarketNotFound,
    NotAuthenticated,
    SlugTaken,
    UserNotFound,
)

JSON_MEDIA_TYPE = "application/json"
REALM = "markets"

FieldErrors = dict[str, list[str]]


class ApiError(Exception):
    """An HTTP error; each framework's error handler renders it in the envelope."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details: FieldErrors = {key: list(value) for key, value in (details or {}).items()}
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


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


def challenge(*, invalid_token: bool = False) -> str:
    """The `WWW-Authenticate` value of a 401."""
    value = f'Bearer realm="{REALM}"'
    return f'{value}, error="invalid_token"' if invalid_token else value


def not_authenticated(exc: NotAuthenticated) -> ApiError:
    headers = {"WWW-Authenticate": challenge(invalid_token=exc.invalid_token)}
    return ApiError(401, "not_authenticated", exc.message, headers=headers)


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def from_domain_error(exc: DomainError) -> ApiError:
    """The HTTP error for what the services refused."""
    if isinstance(exc, NotAuthenticated):
        return not_authenticated(exc)
    if isinstance(exc, AccessDenied):
        return forbidden(exc.message)
    if isinstance(exc, (MarketNotFound, UserNotFound)):
        return ApiError(404, "not_found", str(exc))
    if isinstance(exc, SlugTaken):
        return ApiError(409, "conflict", str(exc), {"slug": [str(exc)]})
    if isinstance(exc, InvalidTransition):
        return ApiError(409, "conflict", str(exc))
    raise TypeError(f"no HTTP error is defined for {type(exc).__name__}") from exc


def invalid_json(reason: str = "") -> ApiError:
    message = "The request body is not valid JSON."
    return ApiError(400, "invalid_json", f"{message} {reason}".strip())


def validation_failed(details: Mapping[str, Sequence[str]]) -> ApiError:
    return ApiError(400, "validation_failed", "The request body is not valid.", details)


def unsupported_media_type(content_type: str | None) -> ApiError:
    sent = content_type or "no Content-Type"
    message = f"The body must be sent as {JSON_MEDIA_TYPE}, not {sent}."
    return ApiError(415, "unsupported_media_type", message)


def is_json(content_type: str | None) -> bool:
    """True for `application/json`, with or without parameters (`; charset=utf-8`)."""
    return (content_type or "").split(";")[0].strip().lower() == JSON_MEDIA_TYPE


def code_for_status(status: int) -> str:
    """The envelope `code` for an error the framework raised itself (404, 405…)."""
    return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
