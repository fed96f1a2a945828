"""Django tables: markets, and the audit trail written in the same transaction. Given."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Market(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "jobs_market"

    def __str__(self) -> str:
        return self.slug


class MarketEvent(models.Model):
    """One row per change to a market, written in the change's own transaction."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "jobs_market_event"
