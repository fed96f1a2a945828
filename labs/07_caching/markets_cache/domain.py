"""Markets, the repository protocol, and an in-memory repository that counts calls. Given code.

`CachedMarketRepository` (your code, `cache.py`) wraps any `MarketRepository`; tests wrap
`InMemoryMarketRepository`, whose `calls` counter says how often the cache let a call through.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol


class Status(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Market:
    id: int
    name: str
    slug: str
    status: Status
    volume: Decimal  # money: exact, scale included ("0.10" is not "0.1")
    created_at: datetime  # timezone-aware
    updated_at: datetime  # timezone-aware


class MarketNotFound(LookupError):
    """An update or delete named an id the repository does not hold."""

    def __init__(self, market_id: int) -> None:
        super().__init__(f"No market with id {market_id}.")
        self.market_id = market_id


class MarketRepository(Protocol):
    """What the cache wraps: the database, another service, or the in-memory one below."""

    def get(self, market_id: int) -> Market | None: ...

    def add(
        self, *, name: str, slug: str, volume: Decimal, status: Status = Status.DRAFT
    ) -> Market: ...

    def update(self, market_id: int, **changes: Any) -> Market: ...

    def delete(self, market_id: int) -> None: ...


class InMemoryMarketRepository:
    """A dict of markets that counts every call (`calls["get"]`), thread-safe.

    `delay` (seconds) makes every `get` slow, like a database round trip (the notebook's
    measurements). `before_get` / `before_write` are hooks tests use to pause a call in flight:
    `before_get(market_id)` runs inside `get` before the read, `before_write(market_id)` inside
    `update` and `delete` before the write lands.
    """

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        delay: float = 0.0,
    ) -> None:
        self._markets: dict[int, Market] = {}
        self._lock = threading.Lock()
        self._next_id = 1
        self._clock = clock
        self.delay = delay
        self.calls: Counter[str] = Counter()
        self.before_get: Callable[[int], None] | None = None
        self.before_write: Callable[[int], None] | None = None

    def get(self, market_id: int) -> Market | None:
        with self._lock:
            self.calls["get"] += 1
        if self.before_get is not None:
            self.before_get(market_id)
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            return self._markets.get(market_id)

    def add(
        self, *, name: str, slug: str, volume: Decimal, status: Status = Status.DRAFT
    ) -> Market:
        with self._lock:
            self.calls["add"] += 1
            now = self._clock()
            market = Market(self._next_id, name, slug, Status(status), volume, now, now)
            self._markets[market.id] = market
            self._next_id += 1
            return market

    def update(self, market_id: int, **changes: Any) -> Market:
        with self._lock:
            self.calls["update"] += 1
        if self.before_write is not None:
            self.before_write(market_id)
        with self._lock:
            if market_id not in self._markets:
                raise MarketNotFound(market_id)
            market = replace(self._markets[market_id], **changes, updated_at=self._clock())
            self._markets[market_id] = market
            return market

    def delete(self, market_id: int) -> None:
        with self._lock:
            self.calls["delete"] += 1
        if self.before_write is not None:
            self.before_write(market_id)
        with self._lock:
            if self._markets.pop(market_id, None) is None:
                raise MarketNotFound(market_id)
