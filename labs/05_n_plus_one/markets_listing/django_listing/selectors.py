"""Reads for the market listing (task 1): one queryset that loads everything the page shows."""

from __future__ import annotations

from django.db.models import QuerySet

from markets_listing.django_listing.models import Market


def market_listing() -> QuerySet[Market]:
    """Markets newest first (`created_at` descending, then `id` descending), each with:

    - `creator` loaded in the same query (no query per market for `market.creator`),
    - `tags` prefetched **in name order**, so `market.tags.all()` runs no query,
    - `position_count`, an integer annotation counted by the database (positions are never
      loaded as rows).

    The whole listing costs two queries, whatever the number of markets.
    """
    raise NotImplementedError(
        "TODO(task 1): build the listing queryset (creator joined, tags prefetched in name "
        "order, position_count annotated, newest first) — see README task 1"
    )
