"""The markets the API serves, kept in memory. Given code.

`on_read` is called on every read, so a test can see when a handler ran (and make it slow).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Market:
    id: int
    name: str
    slug: str
    status: str
    volume: str  # money travels as a decimal string


def _nothing() -> None:
    return None


def _seed() -> dict[int, Market]:
    return {
        1: Market(1, "Rain in Lisbon", "rain-lisbon", "active", "1250.00"),
        2: Market(2, "Snow in Oslo", "snow-oslo", "active", "310.50"),
        3: Market(3, "Heat in Seville", "heat-seville", "closed", "75.25"),
    }


@dataclass
class MarketBook:
    markets: dict[int, Market] = field(default_factory=_seed)
    # market id → username → the user's positions there
    positions: dict[int, dict[str, list[dict[str, str]]]] = field(
        default_factory=lambda: {1: {"ada": [{"side": "yes", "amount": "20.00"}]}}
    )
    on_read: Callable[[], None] = _nothing

    def all(self) -> list[Market]:
        self.on_read()
        return list(self.markets.values())

    def get(self, market_id: int) -> Market | None:
        self.on_read()
        return self.markets.get(market_id)

    def delete(self, market_id: int) -> bool:
        self.on_read()
        return self.markets.pop(market_id, None) is not None

    def positions_of(self, market_id: int, username: str) -> list[dict[str, str]]:
        self.on_read()
        return self.positions.get(market_id, {}).get(username, [])


def as_json(market: Market) -> dict[str, Any]:
    return {
        "id": market.id,
        "name": market.name,
        "slug": market.slug,
        "status": market.status,
        "volume": market.volume,
    }
