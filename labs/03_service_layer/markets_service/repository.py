"""The port the service depends on, and the in-memory adapter unit tests use. Given.

The repository stores and finds markets; it enforces no business rule. Rules live in
`MarketService`, so the same rules hold over this dict, SQLAlchemy and the Django ORM.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from .domain import Market


class MarketRepository(Protocol):
    def add(self, market: Market) -> Market:
        """Store a new market; return it with its `id` set."""
        ...

    def get(self, market_id: int) -> Market | None: ...

    def get_by_slug(self, slug: str) -> Market | None: ...

    def all_markets(self) -> list[Market]:
        """Every market, in no promised order."""
        ...

    def save(self, market: Market) -> Market:
        """Persist changes to an existing market (its status)."""
        ...


class InMemoryMarketRepository:
    """A dict behind the `MarketRepository` port. Copies in and out, like a real database."""

    def __init__(self, markets: list[Market] | None = None) -> None:
        self._rows: dict[int, Market] = {}
        self._next_id = 1
        for market in markets or []:
            self.add(market)

    def add(self, market: Market) -> Market:
        stored = replace(market, id=self._next_id)
        self._rows[stored.id] = stored
        self._next_id += 1
        return replace(stored)

    def get(self, market_id: int) -> Market | None:
        row = self._rows.get(market_id)
        return None if row is None else replace(row)

    def get_by_slug(self, slug: str) -> Market | None:
        return next((replace(m) for m in self._rows.values() if m.slug == slug), None)

    def all_markets(self) -> list[Market]:
        return [replace(m) for m in self._rows.values()]

    def save(self, market: Market) -> Market:
        if market.id not in self._rows:
            raise KeyError(f"market {market.id} was never added")
        self._rows[market.id] = replace(market)
        return replace(market)
