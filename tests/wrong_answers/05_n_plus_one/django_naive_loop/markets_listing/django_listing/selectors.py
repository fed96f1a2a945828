"""Reads for the market listing (task 1): one queryset that loads everything the page shows."""

from __future__ import annotations

from django.db.models import QuerySet

from markets_listing.django_listing.models import Market


def market_listing() -> QuerySet[Market]:
    """Markets newest first; the serializer fetches what each market shows."""
    return Market.objects.order_by("-created_at", "-id")
