"""The SQLAlchemy adapter: rows stay in the session; domain `Market`s come out.

The repository flushes (so ids exist) but never commits: the caller owns the transaction,
one per request (see `fastapi_app.get_repository` and `flask_app.get_repository`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

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
from markets_repository.sqlalchemy_orm.models import MarketRow, TagRow, UserRow


class SqlAlchemyMarketRepository:
    def __init__(self, session: Session, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._session = session
        self._clock = clock

    def get(self, market_id: int) -> Market | None:
        row = self._session.scalars(_rows().where(MarketRow.id == market_id)).one_or_none()
        return None if row is None else _to_domain(row)

    def add(self, new: NewMarket) -> Market:
        self._check_slug(new.slug, market_id=None)
        now = self._clock()
        row = MarketRow(
            name=new.name,
            slug=new.slug,
            status=new.status.value,
            volume=new.volume,
            creator=self._user(new.creator),
            tags=self._tags(new.tags),
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return _to_domain(row)

    def update(self, market: Market) -> Market:
        row = self._session.scalars(_rows().where(MarketRow.id == market.id)).one_or_none()
        if row is None:
            raise NotFound(market.id)
        self._check_slug(market.slug, market_id=market.id)
        row.name = market.name
        row.slug = market.slug
        row.status = market.status.value
        row.volume = market.volume
        row.tags = self._tags(market.tags)
        row.updated_at = self._clock()
        self._session.flush()
        return _to_domain(row)

    def delete(self, market_id: int) -> None:
        row = self._session.get(MarketRow, market_id)
        if row is not None:
            self._session.delete(row)
            self._session.flush()

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
        query = _rows()
        if status is not None:
            query = query.where(MarketRow.status == status.value)
        if ids is not None:
            query = query.where(MarketRow.id.in_(list(ids)))
        if tag is not None:
            query = query.where(MarketRow.tags.any(TagRow.name == tag))
        column = getattr(MarketRow, field)
        query = query.order_by(column.desc() if descending else column.asc(), MarketRow.id)
        query = query.offset(offset).limit(limit)
        return [_to_domain(row) for row in self._session.scalars(query)]

    def _check_slug(self, slug: str, *, market_id: int | None) -> None:
        """Refuse a slug another market has, before writing (the unique index is the backstop)."""
        others = select(MarketRow.id).where(MarketRow.slug == slug, MarketRow.id != market_id)
        if self._session.scalars(others).first() is not None:
            raise SlugTaken(slug)

    def _user(self, username: str) -> UserRow:
        user = self._session.scalars(select(UserRow).where(UserRow.username == username)).first()
        return user if user is not None else UserRow(username=username)

    def _tags(self, names: Collection[str]) -> set[TagRow]:
        if not names:
            return set()
        found = self._session.scalars(select(TagRow).where(TagRow.name.in_(list(names)))).all()
        known = {tag.name: tag for tag in found}
        return {known.get(name) or TagRow(name=name) for name in names}


def _rows() -> Select[tuple[MarketRow]]:
    """Every query starts here: creator and tags load with the rows, never lazily later."""
    return select(MarketRow).options(joinedload(MarketRow.creator), selectinload(MarketRow.tags))


def _to_domain(row: MarketRow) -> Market:
    return Market(
        id=row.id,
        name=row.name,
        slug=row.slug,
        status=MarketStatus(row.status),
        volume=row.volume,
        creator=row.creator.username,
        tags=frozenset(tag.name for tag in row.tags),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
