"""Notebook 03: Django models and repositories (import after `django.setup()`)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.db import connection, models

from workbook_helpers.nb03_domain import MarketRef, Position


class DjMarket(models.Model):
    slug = models.SlugField(unique=True)
    status = models.CharField(max_length=16)

    class Meta:
        app_label = "nb03"


class DjPosition(models.Model):
    market = models.ForeignKey(DjMarket, on_delete=models.CASCADE)
    username = models.CharField(max_length=150)
    side = models.CharField(max_length=3)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        app_label = "nb03"


def create_tables() -> None:
    with connection.schema_editor() as editor:
        editor.create_model(DjMarket)
        editor.create_model(DjPosition)


class DjangoMarkets:
    def get(self, market_id: int) -> MarketRef | None:
        row = DjMarket.objects.filter(pk=market_id).first()
        return None if row is None else MarketRef(row.pk, row.slug, row.status)


class DjangoPositions:
    def total_staked(self, market_id: int, username: str) -> Decimal:
        rows = DjPosition.objects.filter(market_id=market_id, username=username)
        return rows.aggregate(total=models.Sum("amount"))["total"] or Decimal("0")

    def add(self, position: Position) -> Position:
        row = DjPosition.objects.create(
            market_id=position.market_id,
            username=position.username,
            side=position.side,
            amount=position.amount,
        )
        return replace(position, id=row.pk)
