"""How a market is written into Redis and read back: explicit JSON, never pickle.

`json.dumps` refuses `Decimal` and `datetime`; the usual "fixes" are wrong in quiet ways:
`default=float` turns `Decimal("0.10")` into `0.1` (the scale is gone, and large amounts
drift), and pickle runs code chosen by whoever can write to the cache when it is read, and
ties every cached value to the class layout of the code that wrote it. Each field is spelled
out instead: money as its decimal string, timestamps as ISO 8601 with their offset.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from markets_cache.domain import Market, Status


def encode_market(market: Market) -> str:
    """The JSON text of `market`: `volume` as a string, timestamps as ISO 8601."""
    return json.dumps(
        {
            "id": market.id,
            "name": market.name,
            "slug": market.slug,
            "status": market.status.value,
            "volume": str(market.volume),
            "created_at": market.created_at.isoformat(),
            "updated_at": market.updated_at.isoformat(),
        }
    )


def decode_market(text: str) -> Market:
    """The market `encode_market` wrote, equal field for field (scale and offset kept)."""
    data: dict[str, Any] = json.loads(text)
    return Market(
        id=data["id"],
        name=data["name"],
        slug=data["slug"],
        status=Status(data["status"]),
        volume=_money(data["volume"]),
        created_at=datetime.fromisoformat(data["created_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
    )


def _money(value: object) -> Decimal:
    """The Decimal of a decimal string. A JSON number is refused: encode_market never writes
    one, and `Decimal(0.1)` would turn the float's error into money (0.1000000000000000055…)."""
    if not isinstance(value, str):
        raise TypeError(f"volume must be a decimal string, not {type(value).__name__}")
    return Decimal(value)
