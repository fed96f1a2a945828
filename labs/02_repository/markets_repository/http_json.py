"""How a market and an error look on the wire, shared by the FastAPI and Flask apps. Given.

Every error, in both frameworks and for every status (a 404 the router makes, a 405, a 500),
has one body: `{"error": {"code": str, "message": str, "details": {...}}}`.
"""

from __future__ import annotations

import http
from typing import Any

from markets_repository.domain import Market

# The largest id a BIGINT column (SQLite, PostgreSQL) holds. A larger id in a URL cannot name
# a row: SQLite's driver raises OverflowError on it (a 500; psycopg sends it as a numeric and
# finds nothing), so the apps answer 404 first, the same on both.
MAX_ID = 2**63 - 1


def market_json(market: Market) -> dict[str, Any]:
    """Money as a string (never a float), timestamps as ISO 8601 with their UTC offset."""
    return {
        "id": market.id,
        "name": market.name,
        "slug": market.slug,
        "status": market.status.value,
        "volume": str(market.volume),
        "creator": market.creator,
        "tags": sorted(market.tags),
        "created_at": market.created_at.isoformat(),
        "updated_at": market.updated_at.isoformat(),
    }


def error_json(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The error envelope."""
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def not_found_json(market_id: int | str) -> dict[str, Any]:
    return error_json("not_found", f"market {market_id} does not exist", {"id": market_id})


def status_error_json(status: int) -> dict[str, Any]:
    """The envelope for an error the framework made (404 no route, 405, 500): its phrase only,
    so a 500 reveals nothing of what went wrong."""
    phrase = http.HTTPStatus(status).phrase
    return error_json(phrase.lower().replace(" ", "_").replace("-", "_"), phrase)


class ApiError(Exception):
    """An error an endpoint answers by raising, so the request's transaction rolls back."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["error"]["message"])
        self.status = status
        self.body = body
