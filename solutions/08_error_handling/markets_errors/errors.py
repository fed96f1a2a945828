"""The API's errors: one hierarchy, framework-free, that every handler renders.

An `ApiError` is an *operational* error: a request the API refuses on purpose (no such
market, a taken slug, a missing token). It carries everything a response needs — status,
code, a message for humans, per-field details, and the headers its status must carry — and
nothing about HTTP frameworks. Anything else a view raises is a *programmer* error: a bug,
answered with `InternalError`'s generic 500 and logged, never shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from http import HTTPStatus

FieldErrors = dict[str, list[str]]

# The headers a framework's own error carries that its status needs (RFC 9110): 405 →
# Allow, 401 → WWW-Authenticate, 429/503 → Retry-After. Any other header it carries (a
# Content-Type for its HTML page) describes a body that is not sent.
PRESERVED_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


class ApiError(Exception):
    """An error the API answers on purpose: `status`, `code`, `message`, `details`, `headers`."""

    status: int = 500
    code: str = "internal_error"
    default_message: str = "Internal server error."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Mapping[str, Sequence[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        self.details: FieldErrors = {field: list(msgs) for field, msgs in (details or {}).items()}
        self.headers: dict[str, str] = dict(headers or {})

    @property
    def title(self) -> str:
        """The status's reason phrase: RFC 9457's `title` is the same for every instance."""
        return HTTPStatus(self.status).phrase


class MalformedJson(ApiError):
    status = 400
    code = "invalid_json"
    default_message = "The request body is not one valid JSON object."


class ValidationFailed(ApiError):
    status = 400
    code = "validation_failed"
    default_message = "The request has invalid fields."

    def __init__(self, details: Mapping[str, Sequence[str]], message: str | None = None) -> None:
        super().__init__(message, details=details)


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"
    default_message = "Authentication credentials were missing or wrong."

    def __init__(self, message: str | None = None, *, challenge: str) -> None:
        super().__init__(message, headers={"WWW-Authenticate": challenge})


class PermissionDenied(ApiError):
    status = 403
    code = "permission_denied"
    default_message = "You are not allowed to do this."


class NotFound(ApiError):
    status = 404
    code = "not_found"
    default_message = "Nothing is at this URL."


class MethodNotAllowed(ApiError):
    status = 405
    code = "method_not_allowed"
    default_message = "This URL does not serve that method."


class Conflict(ApiError):
    status = 409
    code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


class ContentTooLarge(ApiError):
    status = 413
    code = "content_too_large"
    default_message = "The request body is larger than this API reads."


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"
    default_message = "The body must be sent as application/json."


class RateLimited(ApiError):
    status = 429
    code = "rate_limited"
    default_message = "Too many requests: wait before retrying."

    def __init__(self, retry_after: float, message: str | None = None) -> None:
        # Whole seconds, rounded up: a client that waits Retry-After is let in, not refused
        # again for the fraction a floor dropped. Never 0: that invites an instant retry.
        seconds = max(1, math.ceil(retry_after))
        super().__init__(message, headers={"Retry-After": str(seconds)})


class InternalError(ApiError):
    """The generic 500: what a client sees of any bug. It says nothing else, on purpose."""


BY_STATUS: dict[int, type[ApiError]] = {
    cls.status: cls
    for cls in (
        MalformedJson,
        Unauthorized,
        PermissionDenied,
        NotFound,
        MethodNotAllowed,
        Conflict,
        ContentTooLarge,
        UnsupportedMediaType,
        RateLimited,
        InternalError,
    )
}


def http_error(status: int, headers: Mapping[str, str] | None = None) -> ApiError:
    """The ApiError for an error a framework raised itself (its 404, 405, 415, 400…).

    The code and message are the API's own for that status (each framework words its
    errors differently, and some words show internals); of its headers, those the status
    must carry are kept (`PRESERVED_HEADERS`), the others dropped.
    """
    preserved = {name.lower() for name in PRESERVED_HEADERS}
    kept = {name: value for name, value in (headers or {}).items() if name.lower() in preserved}
    known = BY_STATUS.get(status)
    phrase = HTTPStatus(status).phrase
    error = ApiError(known.default_message if known else f"{phrase}.", headers=kept)
    error.status = status
    error.code = known.code if known else phrase.lower().replace(" ", "_").replace("-", "_")
    return error
