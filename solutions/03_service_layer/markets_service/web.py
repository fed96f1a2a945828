"""What the three web apps share: JSON shapes, input parsing, and the error translation.

Framework-free, so Django, FastAPI and Flask answer with the same bodies and statuses.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .domain import (
    Conflict,
    DomainError,
    InvalidTransition,
    Market,
    NotFound,
    SearchHit,
    Status,
    ValidationFailed,
)

DEFAULT_LIMIT = 10
MAX_LIMIT = 50

# 409 for InvalidTransition: the request is well-formed but clashes with the market's
# current state (RFC 9110 §15.5.10); 400 is for input that is wrong in itself.
STATUS_BY_ERROR: dict[type[DomainError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidTransition: 409,
    ValidationFailed: 400,
}


def error_status(error: DomainError) -> int:
    """The HTTP status for a domain error; a subclass inherits its parent's; 400 otherwise."""
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


def error_body(error: DomainError) -> dict[str, Any]:
    """The JSON error envelope: `{"error": {"code", "message", "details"}}`."""
    return {"error": {"code": error.code, "message": error.message, "details": error.details}}


# ------------------------------------------------------------------------- given helpers


def market_json(market: Market) -> dict[str, Any]:
    return {
        "id": market.id,
        "name": market.name,
        "slug": market.slug,
        "status": str(market.status),
        "volume": f"{market.volume:.2f}",  # money as a decimal string: JSON numbers are floats
        "created_at": market.created_at.isoformat(),
    }


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"market": market_json(hit.market), "score": round(hit.score, 4)}


def read_object(payload: Any, fields: Collection[str]) -> dict[str, Any]:
    """A JSON body that is one object with only `fields` in it, or ValidationFailed.

    A field the server owns (`id`, `slug`, `status`, `volume`, `created_at`) is refused like
    any other unknown field: never silently dropped, never written.
    """
    if not isinstance(payload, dict):
        raise ValidationFailed.on("body", "the body must be one JSON object")
    details = {key: ["is not a field of this request"] for key in payload if key not in fields}
    if details:
        raise ValidationFailed("the body has fields this request does not take", details=details)
    return payload


def read_name(payload: Any) -> str:
    """The `name` of a create body, or ValidationFailed. Its rules are the service's."""
    name = read_object(payload, {"name"}).get("name")
    if not isinstance(name, str):
        raise ValidationFailed.on("name", "name is required and must be a string")
    return name


def read_status(payload: Any) -> Status:
    """The `to` status of a transition body, or ValidationFailed."""
    value = read_object(payload, {"to"}).get("to")
    if isinstance(value, str) and value in set(Status):
        return Status(value)
    allowed = ", ".join(Status)
    raise ValidationFailed.on("to", f"to must be one of: {allowed}")


def read_query(raw: str | None) -> str:
    """The `q` query parameter: required (an empty `q=` is allowed and finds nothing)."""
    if raw is None:
        raise ValidationFailed.on("q", "q is required: the text to search for")
    return raw


def read_limit(raw: str | None) -> int:
    """The `limit` query parameter: 1 to MAX_LIMIT in ASCII digits, DEFAULT_LIMIT when absent.

    Not `raw.isdigit()` alone: it is True for "²" (which `int()` refuses: a 500) and "٧"
    (which `int()` reads as 7). The length check keeps a 10,000-digit limit away from `int()`.
    """
    if raw is None:
        return DEFAULT_LIMIT
    if (
        not (raw.isascii() and raw.isdigit())
        or len(raw) > len(str(MAX_LIMIT))
        or not 1 <= int(raw) <= MAX_LIMIT
    ):
        raise ValidationFailed.on("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)
