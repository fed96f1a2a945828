"""What the three web apps share: JSON shapes, input parsing, and the error translation.

Framework-free, so Django, FastAPI and Flask answer with the same bodies and statuses.
"""

from __future__ import annotations

from typing import Any

from .domain import DomainError, Market, SearchHit, Status, ValidationFailed

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


def error_status(error: DomainError) -> int:
    """The HTTP status for a domain error; a subclass inherits its parent's; 400 otherwise."""
    raise NotImplementedError(
        "TODO(task 5): map each DomainError class to its HTTP status — see README task 5"
    )


def error_body(error: DomainError) -> dict[str, Any]:
    """The JSON error envelope: `{"error": {"code", "message", "details"}}`."""
    raise NotImplementedError("TODO(task 5): build the JSON error envelope — see README task 5")


# ------------------------------------------------------------------------- given helpers


def market_json(market: Market) -> dict[str, Any]:
    return {
        "id": market.id,
        "name": market.name,
        "slug": market.slug,
        "status": str(market.status),
        "volume": str(market.volume),  # Decimal as a string: JSON numbers are floats
        "created_at": market.created_at.isoformat(),
    }


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"market": market_json(hit.market), "score": round(hit.score, 4)}


def read_name(payload: Any) -> str:
    """The `name` of a JSON body, or ValidationFailed."""
    name = payload.get("name") if isinstance(payload, dict) else None
    if not isinstance(name, str):
        raise ValidationFailed("name is required and must be a string", details={"field": "name"})
    return name


def read_status(payload: Any) -> Status:
    """The `to` status of a transition body, or ValidationFailed."""
    value = payload.get("to") if isinstance(payload, dict) else None
    try:
        return Status(value)
    except ValueError:
        allowed = [str(s) for s in Status]
        raise ValidationFailed(
            f"to must be one of {allowed}", details={"field": "to", "allowed": allowed}
        ) from None


def read_limit(raw: str | None) -> int:
    """The `limit` query parameter: 1 to MAX_LIMIT, DEFAULT_LIMIT when absent."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationFailed(
            f"limit must be an integer from 1 to {MAX_LIMIT}", details={"field": "limit"}
        )
    return int(raw)
