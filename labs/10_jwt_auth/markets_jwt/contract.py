"""The HTTP contract of the lab's API: the error envelope, the 401s and the wire models.

Given code. Every error, in all three frameworks, has this body:

    {"error": {"code": "invalid_token", "message": "The access token has expired.", "details": {}}}

A 401 always carries a `WWW-Authenticate: Bearer …` challenge (RFC 9110 §11.6.1). Per
RFC 6750 §3 it names `error="invalid_token"` when a Bearer token was sent and refused, and
no error when the request carried no Bearer credentials at all.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

REALM = "markets"
TOKEN_TYPE = "Bearer"
JSON_MEDIA_TYPE = "application/json"
UNSTORABLE_TEXT = "Text may not contain a NUL character or a lone surrogate (\\u0000, \\ud800)."
SAME_LOGIN_ERROR = "The username or password is wrong."  # never says which one

FieldErrors = dict[str, list[str]]


# ------------------------------------------------------------------ what authentication raises


class AuthError(Exception):
    """A request that cannot be authenticated: every framework answers it with a 401."""

    code = "not_authenticated"


class NotAuthenticated(AuthError):
    """No Bearer credentials at all: no `Authorization` header, or another scheme."""

    def __init__(self, message: str = "This endpoint needs a Bearer access token.") -> None:
        super().__init__(message)


class InvalidToken(AuthError):
    """A Bearer token was sent and is refused: malformed, forged, expired, not for us…"""

    code = "invalid_token"

    def __init__(self, message: str = "The access token is invalid.") -> None:
        super().__init__(message)


class InvalidCredentials(AuthError):
    """A login with a wrong username or password: one message for both."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__(SAME_LOGIN_ERROR)


def challenge(error: str | None = None) -> str:
    """The `WWW-Authenticate` value: `Bearer realm="markets"[, error="invalid_token"]`."""
    value = f'{TOKEN_TYPE} realm="{REALM}"'
    return f'{value}, error="{error}"' if error else value


# ------------------------------------------------------------------------------ the envelope


class ApiError(Exception):
    """An HTTP error a view raises; each framework's error handler renders it."""

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

    @property
    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)


def error_body(
    code: str, message: str, details: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "details": {key: [str(m) for m in value] for key, value in (details or {}).items()},
        }
    }


def unauthorized(exc: AuthError) -> ApiError:
    """The 401 for an authentication failure, with its challenge."""
    error = "invalid_token" if isinstance(exc, InvalidToken) else None
    return ApiError(401, exc.code, str(exc), headers={"WWW-Authenticate": challenge(error)})


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", what)


def invalid_json(reason: str = "") -> ApiError:
    return ApiError(400, "invalid_json", f"The request body is not valid JSON. {reason}".strip())


def validation_failed(details: Mapping[str, Sequence[str]]) -> ApiError:
    return ApiError(400, "validation_failed", "The request body is not valid.", details)


def unsupported_media_type(content_type: str | None) -> ApiError:
    sent = content_type or "no Content-Type"
    return ApiError(
        415, "unsupported_media_type", f"The body must be sent as {JSON_MEDIA_TYPE}, not {sent}."
    )


def is_json(content_type: str | None) -> bool:
    """True for `application/json`, with or without parameters (`; charset=utf-8`)."""
    return (content_type or "").split(";")[0].strip().lower() == JSON_MEDIA_TYPE


def code_for_status(status: int) -> str:
    """The envelope `code` for an error the framework raised itself (404, 405…)."""
    return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def is_storable_text(value: str) -> bool:
    return re.search(r"[\x00\ud800-\udfff]", value) is None


# --------------------------------------------------- wire models (FastAPI and Flask; DRF mirrors)


class _Body(BaseModel):
    """A JSON body: only the model's fields, no null, and text a database can store."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and not is_storable_text(value):
            raise ValueError(UNSTORABLE_TEXT)
        return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class LoginIn(_Body):
    username: Text
    password: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RefreshIn(_Body):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TokenOut(BaseModel):
    """The answer of a login or a refresh (RFC 6749 §5.1): `expires_in` is in seconds."""

    access_token: str
    refresh_token: str
    token_type: str = TOKEN_TYPE
    expires_in: int


class MarketIn(_Body):
    name: Text


class MarketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    creator: str


class ErrorObject(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    error: ErrorObject


def read_json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid_json("It is not UTF-8.") from None
    except RecursionError:
        raise invalid_json("It is nested too deeply.") from None
    except ValueError:
        raise invalid_json() from None


def api_error_from(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    """The 400 for Pydantic's errors (or FastAPI's), each bad field named in `details`."""
    errors = list(errors)
    if any(e["type"] == "json_invalid" for e in errors):
        return invalid_json()
    if any(e["type"] == "missing" and tuple(e["loc"]) == ("body",) for e in errors):
        return invalid_json("The body is empty.")
    details: FieldErrors = {}
    for e in errors:
        loc = [str(part) for part in e["loc"]]
        field = ".".join(loc[1:] if loc[:1] == ["body"] else loc) or "body"
        message = "Unknown field." if e["type"] == "extra_forbidden" else str(e["msg"])
        details.setdefault(field, []).append(message.removeprefix("Value error, "))
    return validation_failed(details)
