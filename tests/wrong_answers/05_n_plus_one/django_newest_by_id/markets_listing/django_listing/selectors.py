"""Reads for the market listing (task 1): one queryset that loads everything the page shows."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from markets_listing.django_listing.models import Market, Tag


def market_listing() -> QuerySet[Market]:
    """Markets newest first (`created_at` descending, then `id` descending), each with:

    - `creator` loaded in the same query (no query per market for `market.creator`),
    - `tags` prefetched **in name order**, so `market.tags.all()` runs no query,
    - `position_count`, an integer annotation counted by the database (positions are never
      loaded as rows).

    The whole listing costs two queries, whatever the number of markets.
    """
    return (
        Market.objects.select_related("creator")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        # One multi-valued join only: a second one (tags) here would multiply the count.
        .annotate(position_count=Count("positions"))
        .order_by("-id")  # ids grow with time: newest first
    )
