"""The SQLAlchemy adapter: rows stay in the session; domain `Market`s come out.

The repository flushes (so ids exist) but never commits: the caller owns the transaction,
one per request (see `fastapi_app.get_repository` and `flask_app.get_repository`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy.orm import Session

from markets_repository.domain import Market, MarketStatus, NewMarket, utc_now
from markets_repository.sqlalchemy_orm.models import MarketRow


class SqlAlchemyMarketRepository:
    def __init__(self, session: Session, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._session = session
        self._clock = clock

    def get(self, market_id: int) -> Market | None:
        """The market with this id as a domain Market (creator and tags loaded here), or None."""
        raise NotImplementedError(
            "TODO(task 1): select the row with its creator and tags eagerly loaded, map it with "
            "_to_domain — see README task 1"
        )

    def add(self, new: NewMarket) -> Market:
        """Stage a new market (reusing an existing creator and tags), flush, return it."""
        raise NotImplementedError(
            "TODO(task 4): add the row, flush for its id, return the domain Market — see README "
            "task 4"
        )

    def update(self, market: Market) -> Market:
        """Save name, slug, status, volume, tags; updated_at from the clock; NotFound if absent."""
        raise NotImplementedError(
            "TODO(task 5): load the row or raise NotFound (no session.merge) — see README task 5"
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
            "TODO(task 2): build the select() with a where() per given filter and return a list "
            "of domain Markets (task 3: order and window) — see README tasks 2 and 3"
        )


def _to_domain(row: MarketRow) -> Market:
    """Copy a row (with its loaded creator and tags) into a frozen domain Market."""
    raise NotImplementedError(
        "TODO(task 1): build a Market from the row's fields — see README task 1"
    )
