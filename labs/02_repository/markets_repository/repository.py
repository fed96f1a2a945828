"""The port: what the rest of the application may ask of market storage. Given.

Every adapter (in memory, Django ORM, SQLAlchemy) satisfies this Protocol structurally — no
inheritance — and one contract suite (tests/test_contract.py) runs against all three.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from markets_repository.domain import Market, MarketStatus, NewMarket


class MarketRepository(Protocol):
    def get(self, market_id: int) -> Market | None:
        """The market with this id, or None."""
        ...

    def add(self, new: NewMarket) -> Market:
        """Store a new market; the repository assigns its id and timestamps."""
        ...

    def update(self, market: Market) -> Market:
        """Save name, slug, status, volume and tags of a stored market; raise NotFound if absent."""
        ...

    def delete(self, market_id: int) -> None:
        """Remove the market if it is stored; deleting twice is not an error."""
        ...

    def list(
        self,
        *,
        status: MarketStatus | None = None,
        ids: Collection[int] | None = None,
        tag: str | None = None,
        order_by: str = "id",
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Market]:
        """Markets matching every given filter, ordered and windowed; a list, never lazy."""
        ...
