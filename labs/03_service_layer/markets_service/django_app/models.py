"""The Django ORM table behind `DjangoMarketRepository`. Given."""

from __future__ import annotations

from django.db import models

from ..domain import NAME_MAX_LENGTH, SLUG_MAX_LENGTH, Status


class MarketRecord(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    slug = models.SlugField(max_length=SLUG_MAX_LENGTH, unique=True)
    status = models.CharField(
        max_length=16, choices=[(s.value, s.value) for s in Status], default=Status.DRAFT.value
    )
    volume = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "service_markets"
