"""The in-memory adapter: a dict behind the port, for fast unit tests of code that uses it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import datetime

from markets_repository.domain import (
    Market,
    MarketStatus,
    NewMarket,
    NotFound,
    SlugTaken,
    check_window,
    parse_ordering,
    utc_now,
)


class InMemoryMarketRepository:
    """Stores frozen `Market`s by id. Honours the same contract as the ORM adapters."""

    def __init__(
        self, markets: Iterable[Market] = (), *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._markets: dict[int, Market] = {market.id: market for market in markets}
        self._clock = clock

    def get(self, market_id: int) -> Market | None:
        return self._markets.get(market_id)

    def add(self, new: NewMarket) -> Market:
        self._check_slug(new.slug, market_id=None)
        now = self._clock()
        market = Market(
            id=max(self._markets, default=0) + 1,
            name=new.name,
            slug=new.slug,
            status=new.status,
            volume=new.volume,
            creator=new.creator,
            tags=frozenset(new.tags),
            created_at=now,
            updated_at=now,
        )
        self._markets[market.id] = market
        return market

    def update(self, market: Market) -> Market:
        stored = self._markets.get(market.id)
        if stored is None:
            raise NotFound(market.id)
        self._check_slug(market.slug, market_id=market.id)
        saved = replace(
            stored,
            name=market.name,
            slug=market.slug,
            status=market.status,
            volume=market.volume,
            tags=frozenset(market.tags),
            updated_at=self._clock(),
        )
        self._markets[saved.id] = saved
        return saved

    def _check_slug(self, slug: str, *, market_id: int | None) -> None:
        """Slugs are unique, as the databases' unique index makes them: refuse another's."""
        if any(m.slug == slug and m.id != market_id for m in self._markets.values()):
            raise SlugTaken(slug)

    def delete(self, market_id: int) -> None:
        self._markets.pop(market_id, None)

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
        field, descending = parse_ordering(order_by)
        check_window(limit, offset)
        wanted = None if ids is None else set(ids)
        rows = [
            market
            for market in self._markets.values()
            if (status is None or market.status == status)
            and (wanted is None or market.id in wanted)
            and (tag is None or tag in market.tags)
        ]
        rows.sort(key=lambda market: market.id)  # the tie-breaker first: the next sort is stable
        rows.sort(key=lambda market: getattr(market, field), reverse=descending)
        end = None if limit is None else offset + limit
        return rows[offset:end]
