"""Reads for the market listing (task 1): one queryset that loads everything the page shows."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from markets_listing.django_listing.models import Market


def market_listing() -> QuerySet[Market]:
    """Markets newest first, creator joined, tags prefetched (unordered), count annotated."""
    return (
        Market.objects.select_related("creator")
        .prefetch_related("tags")
        .annotate(position_count=Count("positions"))
        .order_by("-created_at", "-id")
    )
