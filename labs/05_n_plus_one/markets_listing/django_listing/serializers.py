"""The listing's DRF serializer (task 2): reads only what the selector already loaded."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from markets_listing.django_listing.models import Market


class MarketListSerializer(serializers.Serializer):
    """One market of the listing, as JSON:

    `{"id", "name", "slug", "status", "creator": "<username>", "tags": ["<name>", ...],
    "position_count": <int>}` — tags in name order, `[]` when the market has none.

    Every field reads data the selector (task 1) loaded: no field may run a query.
    """

    def to_representation(self, instance: Market) -> dict[str, Any]:
        raise NotImplementedError(
            "TODO(task 2): declare the listing fields (creator username, tag names, "
            "position_count) so that none of them runs a query — see README task 2"
        )
