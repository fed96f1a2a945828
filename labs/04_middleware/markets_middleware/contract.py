"""What every framework's API promises: its public routes and the error envelope. Given code.

A route is a method and a route *name* — the name each framework gives the URL pattern it
resolved the request to (Django's `url_name`, Flask's endpoint, Starlette's `route.name`):

    GET    /api/health                    health            public
    POST   /api/auth/login                login             public
    GET    /api/auth/me                   me
    GET    /api/markets                   market-list       public
    GET    /api/markets/{id}              market-detail     public
    DELETE /api/markets/{id}              market-detail
    GET    /api/markets/{id}/positions    market-positions

Every GET route also answers HEAD — a GET without the body (RFC 9110 §9.3.2) — so HEAD is
public exactly where GET is: `PUBLIC_ROUTES` lists it beside each public GET. Every route
not in `PUBLIC_ROUTES` needs `Authorization: Bearer <token>`. Every error body,
in every framework and for every status — a 500 included — is the envelope with the
request's id:

    {"error": {"code": "not_authenticated", "message": "...", "details": {},
               "request_id": "<the X-Request-ID of the response>"}}
"""

from __future__ import annotations

import enum
import http
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

REQUEST_ID_HEADER = "X-Request-ID"
TIMING_HEADER = "Server-Timing"
JSON_MEDIA_TYPE = "application/json"

# (method, route name): the routes anyone may call. Everything else needs a token.
# HEAD is GET without the body: public wherever GET is.
_PUBLIC_GETS = ("health", "market-list", "market-detail")
PUBLIC_ROUTES: frozenset[tuple[str, str]] = frozenset(
    {("POST", "login")} | {(method, name) for name in _PUBLIC_GETS for method in ("GET", "HEAD")}
)

FieldErrors = dict[str, list[str]]


class ErrorCode(enum.StrEnum):
    INVALID_JSON = "invalid_json"  # 400: the body is not one JSON object
    VALIDATION_FAILED = "validation_failed"  # 400: JSON, but fields are missing or wrong
    NOT_AUTHENTICATED = "not_authenticated"  # 401: no token, or not a token we know
    INVALID_CREDENTIALS = "invalid_credentials"  # 401: a login with a wrong password
    NOT_FOUND = "not_found"  # 404
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"  # 415
    INTERNAL_ERROR = "internal_error"  # 500: a bug or an outage, logged with its traceback


class ApiError(Exception):
    """An HTTP error; each framework's given error handling renders it in the envelope."""

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


def error_body(error: ApiError, request_id: str | None) -> dict[str, Any]:
    """The JSON error envelope, carrying the request id the middleware stored."""
    return {
        "error": {
            "code": str(error.code),
            "message": error.message,
            "details": error.details,
            "request_id": request_id,
        }
    }


def not_authenticated() -> ApiError:
    """The gate's 401: the challenge says which scheme to use (RFC 9110 §11.6.1)."""
    return ApiError(
        401,
        ErrorCode.NOT_AUTHENTICATED,
        "This route needs an Authorization: Bearer <token> header.",
        headers={"WWW-Authenticate": 'Bearer realm="markets"'},
    )


def invalid_credentials() -> ApiError:
    return ApiError(
        401,
        ErrorCode.INVALID_CREDENTIALS,
        "Unknown username or wrong password.",
        headers={"WWW-Authenticate": 'Bearer realm="markets"'},
    )


def not_found(what: str) -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND, f"No {what}.")


def internal_error() -> ApiError:
    """The 500 for anything unexpected: nothing of the exception leaves the server.

    Its traceback goes to the log, once; the client gets the request id to quote instead.
    """
    return ApiError(
        500,
        ErrorCode.INTERNAL_ERROR,
        "Something went wrong on our side; quote the request id to support.",
    )


def framework_error(
    status: int, message: str, headers: Mapping[str, str] | None = None
) -> ApiError:
    """An error the framework raised itself (404 no route, 405 wrong method…)."""
    code = http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    return ApiError(status, code, message, headers=headers)


# ----------------------------------------------------------------- the login body, read once

LOGIN_FIELDS = ("username", "password")
MAX_FIELD_LENGTH = 200
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # NUL, lone surrogates: no database stores them


@dataclass(frozen=True)
class Login:
    username: str
    password: str


def is_json(content_type: str | None) -> bool:
    """True for `application/json`, with or without parameters (`; charset=utf-8`)."""
    return (content_type or "").split(";")[0].strip().lower() == JSON_MEDIA_TYPE


def read_login(body: bytes, content_type: str | None) -> Login:
    """The login body, or the ApiError (415, 400 per field) every framework answers with.

    An empty body is a 400 whatever its Content-Type: Django's test client sends none with
    it, and there is no JSON object in it either way.
    """
    if not body:
        raise ApiError(400, ErrorCode.INVALID_JSON, "The body is empty: send a JSON object.")
    if not is_json(content_type):
        sent = content_type or "no Content-Type"
        message = f"The body must be sent as {JSON_MEDIA_TYPE}, not {sent}."
        raise ApiError(415, ErrorCode.UNSUPPORTED_MEDIA_TYPE, message)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # broken, not UTF-8, or nested too deeply
        raise ApiError(400, ErrorCode.INVALID_JSON, "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(400, ErrorCode.INVALID_JSON, "The body must be one JSON object.")
    errors: FieldErrors = {}
    for name in data.keys() - set(LOGIN_FIELDS):
        errors[name] = ["Unknown field."]
    for name in LOGIN_FIELDS:
        value = data.get(name)
        if name not in data:
            errors[name] = ["This field is required."]
        elif not isinstance(value, str) or not value:
            errors[name] = ["Must be a non-empty string."]
        elif len(value) > MAX_FIELD_LENGTH or _UNSTORABLE.search(value):
            errors[name] = [f"At most {MAX_FIELD_LENGTH} characters, no NUL or lone surrogate."]
    if errors:
        raise ApiError(400, ErrorCode.VALIDATION_FAILED, "The login is not valid.", errors)
    return Login(data["username"], data["password"])
