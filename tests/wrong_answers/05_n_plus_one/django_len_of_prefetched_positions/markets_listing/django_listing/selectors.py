"""Reads for the market listing (task 1): one queryset that loads everything the page shows."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from markets_listing.django_listing.models import Market, Tag


def market_listing() -> QuerySet[Market]:
    """Markets newest first, creator joined, tags and positions prefetched."""
    return (
        Market.objects.select_related("creator")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")), "positions")
        .order_by("-created_at", "-id")
    )
