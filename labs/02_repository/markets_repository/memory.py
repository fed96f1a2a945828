"""The in-memory adapter: a dict behind the port, for fast unit tests of code that uses it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from markets_repository.domain import Market, MarketStatus, NewMarket, utc_now


class InMemoryMarketRepository:
    """Stores frozen `Market`s by id. Honours the same contract as the ORM adapters."""

    def __init__(
        self, markets: Iterable[Market] = (), *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._markets: dict[int, Market] = {market.id: market for market in markets}
        self._clock = clock

    def get(self, market_id: int) -> Market | None:
        """The market with this id, or None."""
        raise NotImplementedError("TODO(task 1): look the market up by id — see README task 1")

    def add(self, new: NewMarket) -> Market:
        """Store a new market: next free id, created_at = updated_at = self._clock()."""
        raise NotImplementedError(
            "TODO(task 4): store a Market with the next id and the clock's time — see README task 4"
        )

    def update(self, market: Market) -> Market:
        """Save name, slug, status, volume, tags; updated_at = self._clock(); NotFound if absent."""
        raise NotImplementedError(
            "TODO(task 5): replace the stored market, or raise NotFound — see README task 5"
        )

    def delete(self, market_id: int) -> None:
        """Remove the market if stored; deleting a missing market is not an error."""
        raise NotImplementedError("TODO(task 5): drop the market, idempotently — see README task 5")

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
        """Markets matching every given filter, sorted by `order_by` then id, then windowed."""
        raise NotImplementedError(
            "TODO(task 2): filter by status, ids and tag (task 3: order and window) — see README "
            "tasks 2 and 3"
        )
