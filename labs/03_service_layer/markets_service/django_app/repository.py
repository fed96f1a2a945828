"""`MarketRepository` over the Django ORM. Given.

It maps rows to the domain `Market` dataclass, so `MarketService` never sees a model
instance and the same rules run over Django, SQLAlchemy and the in-memory dict.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..domain import MAX_ID, Conflict, Market, Status
from .models import MarketRecord


def _to_domain(row: MarketRecord) -> Market:
    return Market(
        id=row.pk,
        name=row.name,
        slug=row.slug,
        status=Status(row.status),
        volume=row.volume,
        created_at=row.created_at,
    )


class DjangoMarketRepository:
    def add(self, market: Market) -> Market:
        try:
            with transaction.atomic():
                row = MarketRecord.objects.create(
                    name=market.name,
                    slug=market.slug,
                    status=str(market.status),
                    volume=market.volume,
                    created_at=market.created_at,
                )
        except IntegrityError:
            # Backstop for two concurrent creates; the service checks first (lab 06: locks).
            raise Conflict(
                f"the slug {market.slug!r} is already taken", details={"slug": market.slug}
            ) from None
        return _to_domain(row)

    def get(self, market_id: int) -> Market | None:
        if not 1 <= market_id <= MAX_ID:  # no row has it, and SQLite would overflow on it
            return None
        row = MarketRecord.objects.filter(pk=market_id).first()
        return None if row is None else _to_domain(row)

    def get_by_slug(self, slug: str) -> Market | None:
        row = MarketRecord.objects.filter(slug=slug).first()
        return None if row is None else _to_domain(row)

    def all_markets(self) -> list[Market]:
        return [_to_domain(row) for row in MarketRecord.objects.all()]

    def save(self, market: Market) -> Market:
        MarketRecord.objects.filter(pk=market.id).update(
            status=str(market.status), volume=market.volume
        )
        return market
