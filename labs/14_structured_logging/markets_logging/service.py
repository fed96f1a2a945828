"""The service layer the three apps call. Given: it logs the way real service code does.

It knows nothing of HTTP or of request ids, yet every line it logs must carry the request's
id: that is the job of `context` (task 2) and of the JSON formatter that merges it (task 3).
It binds `market_id` once it knows which market a request is about, and fans work out to a
thread pool through `context.submit`, so the workers' lines carry the request's fields too.

`checkpoint` / `async_checkpoint` run in the middle of a lookup, between binding `market_id`
and logging it. They do nothing by default; tests use them to hold two requests in flight at
once (a barrier), to slow one down, or to make one crash.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

from markets_logging import context

log = logging.getLogger("markets.service")


@dataclass(frozen=True)
class Market:
    id: int
    name: str
    volume: Decimal


class MarketNotFound(Exception):
    def __init__(self, market_id: int) -> None:
        super().__init__(f"No market with id {market_id}.")
        self.market_id = market_id


def _nothing() -> None:
    return None


async def _nothing_async() -> None:
    return None


class MarketService:
    def __init__(
        self,
        markets: Iterable[Market],
        checkpoint: Callable[[], None] = _nothing,
        async_checkpoint: Callable[[], Awaitable[None]] = _nothing_async,
    ) -> None:
        self.markets = {market.id: market for market in markets}
        self.checkpoint = checkpoint
        self.async_checkpoint = async_checkpoint

    def get(self, market_id: int) -> Market:
        """The market (Django, Flask): binds `market_id` for the rest of the request."""
        context.bind(market_id=market_id)
        self.checkpoint()
        return self._found(market_id)

    async def fetch(self, market_id: int) -> Market:
        """The same lookup for FastAPI, with an `await` between bind and log."""
        context.bind(market_id=market_id)
        await self.async_checkpoint()
        return self._found(market_id)

    def summary(self) -> dict[str, str | int]:
        """Total volume, one worker thread per market; each worker logs its market."""
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="summary") as pool:
            futures = [context.submit(pool, self._summarize, m) for m in self.markets.values()]
            volumes = [future.result() for future in futures]
        log.info("summary computed", extra={"markets": len(volumes)})
        return {"markets": len(volumes), "volume": str(sum(volumes, Decimal(0)))}

    def _summarize(self, market: Market) -> Decimal:
        context.bind(market_id=market.id)
        log.info("market summarized", extra={"volume": market.volume})
        return market.volume

    def _found(self, market_id: int) -> Market:
        market = self.markets.get(market_id)
        if market is None:
            log.info("market not found")
            raise MarketNotFound(market_id)
        log.info("market viewed", extra={"market_name": market.name})
        return market


def sample_markets() -> list[Market]:
    return [
        Market(1, "Rain in Lisbon", Decimal("1250.50")),
        Market(2, "Snow in Oslo", Decimal("310.00")),
        Market(3, "Sun in Seville", Decimal("99.99")),
    ]
