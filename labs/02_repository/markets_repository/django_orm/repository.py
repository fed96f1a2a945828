"""The Django ORM adapter: querysets stay inside; domain `Market`s come out."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from markets_repository.django_orm.models import MarketRow
from markets_repository.domain import Market, MarketStatus, NewMarket, utc_now


class DjangoMarketRepository:
    def __init__(self, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock

    def get(self, market_id: int) -> Market | None:
        """The market with this id as a domain Market (creator and tags loaded here), or None."""
        raise NotImplementedError(
            "TODO(task 1): query the row with its creator and tags, map it with _to_domain — "
            "see README task 1"
        )

    def add(self, new: NewMarket) -> Market:
        """Store a new market; get-or-create its creator and tags; timestamps from the clock."""
        raise NotImplementedError(
            "TODO(task 4): create the row, its creator and tags in one transaction — see README "
            "task 4"
        )

    def update(self, market: Market) -> Market:
        """Save name, slug, status, volume, tags; updated_at from the clock; NotFound if absent."""
        raise NotImplementedError(
            "TODO(task 5): update the existing row or raise NotFound — never create — see README "
            "task 5"
        )

    def delete(self, market_id: int) -> None:
        """Remove the market if stored; deleting a missing market is not an error."""
        raise NotImplementedError("TODO(task 5): delete idempotently — see README task 5")

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
            "TODO(task 2): filter the queryset, then return a list of domain Markets (task 3: "
            "order and window) — see README tasks 2 and 3"
        )


def _to_domain(row: MarketRow) -> Market:
    """Copy a row (with its creator and prefetched tags) into a frozen domain Market."""
    raise NotImplementedError(
        "TODO(task 1): build a Market from the row's fields — see README task 1"
    )
