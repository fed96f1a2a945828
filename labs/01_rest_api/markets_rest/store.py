"""In-memory market storage that behaves like an ORM table. Given code: use it, do not edit it.

Like a database, the store does what it is told: it sorts by *any* attribute of `Market`
(`ordering="-volume"`, `ordering="slug"`), returns as many rows as `limit` asks for, and
raises on nonsense (`UnknownField`, a negative slice) — deciding what a client may ask for
is the API's job, not the store's.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from markets_rest.domain import WRITABLE_FIELDS, Market, MarketData, Status


class StoreError(Exception):
    """Base class of the errors the store raises for a client's request."""


class MarketNotFound(StoreError):
    def __init__(self, market_id: int) -> None:
        super().__init__(f"no market with id {market_id}")
        self.market_id = market_id


class SlugTaken(StoreError):
    def __init__(self, slug: str) -> None:
        super().__init__(f"the slug {slug!r} is already used by another market")
        self.slug = slug


class UnknownField(LookupError):
    """`ordering` names no attribute of Market (what an ORM's FieldError is to a query)."""


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Market]
    count: int  # how many markets match the filter, over all pages


def utc_now() -> datetime:
    return datetime.now(UTC)


class MarketStore:
    """Markets kept in a dict; safe to share between threads."""

    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock
        self._markets: dict[int, Market] = {}
        self._next_id = 1
        self._lock = threading.Lock()

    def list(
        self, *, status: Status | None = None, ordering: str = "id", limit: int, offset: int = 0
    ) -> Page:
        """One page of markets, `ordering` like `"name"` or `"-volume"` (ties broken by id)."""
        if limit < 0 or offset < 0:
            raise ValueError(f"negative slicing is not supported (limit={limit}, offset={offset})")
        field = ordering.removeprefix("-")
        if field not in {f.name for f in dataclasses.fields(Market)}:
            raise UnknownField(f"cannot order by {ordering!r}: Market has no field {field!r}")
        with self._lock:
            rows = [m for m in self._markets.values() if status is None or m.status == status]
        rows.sort(key=attrgetter("id"), reverse=ordering.startswith("-"))
        rows.sort(key=attrgetter(field), reverse=ordering.startswith("-"))
        return Page(items=rows[offset : offset + limit], count=len(rows))

    def get(self, market_id: int) -> Market:
        with self._lock:
            try:
                return self._markets[market_id]
            except KeyError:
                raise MarketNotFound(market_id) from None

    def create(self, data: MarketData) -> Market:
        with self._lock:
            self._check_slug_free(data.slug)
            now = self._clock()
            market = Market(id=self._next_id, created_at=now, updated_at=now, **_fields(data))
            self._markets[market.id] = market
            self._next_id += 1
            return market

    def replace(self, market_id: int, data: MarketData) -> Market:
        """Every writable field takes its value from `data` (PUT)."""
        return self.update(market_id, _fields(data))

    def update(self, market_id: int, changes: dict[str, Any]) -> Market:
        """Only the fields named in `changes` change (PATCH); the others keep their value."""
        unknown = set(changes) - set(WRITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not writable fields: {sorted(unknown)}")
        with self._lock:
            current = self._markets.get(market_id)
            if current is None:
                raise MarketNotFound(market_id)
            merged = MarketData(**{**_fields(current), **changes})
            self._check_slug_free(merged.slug, but=market_id)
            market = dataclasses.replace(current, updated_at=self._clock(), **_fields(merged))
            self._markets[market_id] = market
            return market

    def delete(self, market_id: int) -> None:
        with self._lock:
            if self._markets.pop(market_id, None) is None:
                raise MarketNotFound(market_id)

    def add_many(self, items: Iterable[MarketData]) -> list[Market]:
        """Create several markets (fixtures and notebooks)."""
        return [self.create(data) for data in items]

    def _check_slug_free(self, slug: str, *, but: int | None = None) -> None:
        if any(m.slug == slug and m.id != but for m in self._markets.values()):
            raise SlugTaken(slug)


def _fields(obj: Market | MarketData) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in WRITABLE_FIELDS}
