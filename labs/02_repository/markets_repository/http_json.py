"""How a market and an error look on the wire, shared by the FastAPI and Flask apps. Given."""

from __future__ import annotations

from typing import Any

from markets_repository.domain import Market


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


def not_found_json(market_id: int) -> dict[str, Any]:
    return {
        "error": {
            "code": "not_found",
            "message": f"market {market_id} does not exist",
            "details": {"id": market_id},
        }
    }
