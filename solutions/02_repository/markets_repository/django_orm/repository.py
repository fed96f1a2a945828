"""The Django ORM adapter: querysets stay inside; domain `Market`s come out."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from markets_repository.django_orm.models import MarketRow, Tag, User
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


class DjangoMarketRepository:
    def __init__(self, *, clock: Callable[[], datetime] = utc_now) -> None:
        self._clock = clock

    def get(self, market_id: int) -> Market | None:
        row = _rows().filter(pk=market_id).first()
        return None if row is None else _to_domain(row)

    def add(self, new: NewMarket) -> Market:
        now = self._clock()
        with transaction.atomic():
            _check_slug(new.slug, market_id=None)
            creator, _ = User.objects.get_or_create(username=new.creator)
            row = MarketRow.objects.create(
                name=new.name,
                slug=new.slug,
                status=new.status,
                volume=new.volume,
                creator=creator,
                created_at=now,
                updated_at=now,
            )
            row.tags.set(_tags(new.tags))
        return self._reloaded(row.pk)

    def update(self, market: Market) -> Market:
        with transaction.atomic():
            row = MarketRow.objects.filter(pk=market.id).first()
            if row is None:
                raise NotFound(market.id)
            _check_slug(market.slug, market_id=market.id)
            row.name = market.name
            row.slug = market.slug
            row.status = market.status
            row.volume = market.volume
            row.updated_at = self._clock()
            row.save(update_fields=["name", "slug", "status", "volume", "updated_at"])
            row.tags.set(_tags(market.tags))
        return self._reloaded(row.pk)

    def delete(self, market_id: int) -> None:
        MarketRow.objects.filter(pk=market_id).delete()

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
        rows = _rows()
        if status is not None:
            rows = rows.filter(status=status)
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        if tag is not None:
            rows = rows.filter(tags__name=tag)
        rows = rows.order_by(f"-{field}" if descending else field, "id")
        end = None if limit is None else offset + limit
        return [_to_domain(row) for row in rows[offset:end]]

    def _reloaded(self, market_id: int) -> Market:
        return _to_domain(_rows().get(pk=market_id))


def _rows() -> QuerySet[MarketRow]:
    """Every query starts here: creator and tags come in the same round trips as the rows."""
    return MarketRow.objects.select_related("creator").prefetch_related("tags")


def _check_slug(slug: str, *, market_id: int | None) -> None:
    """Refuse a slug another market has, before writing (the unique index is the backstop)."""
    if MarketRow.objects.filter(slug=slug).exclude(pk=market_id).exists():
        raise SlugTaken(slug)


def _tags(names: Collection[str]) -> list[Tag]:
    return [Tag.objects.get_or_create(name=name)[0] for name in sorted(names)]


def _to_domain(row: MarketRow) -> Market:
    return Market(
        id=row.pk,
        name=row.name,
        slug=row.slug,
        status=MarketStatus(row.status),
        volume=row.volume,
        creator=row.creator.username,
        tags=frozenset(tag.name for tag in row.tags.all()),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
