"""The listing's DRF serializer (task 2): reads only what the selector already loaded."""

from __future__ import annotations

from rest_framework import serializers

from markets_listing.django_listing.models import Market


class MarketListSerializer(serializers.ModelSerializer):
    """One market of the listing, as JSON:

    `{"id", "name", "slug", "status", "creator": "<username>", "tags": ["<name>", ...],
    "position_count": <int>}` — tags in name order, `[]` when the market has none.

    Every field reads data the selector (task 1) loaded: no field may run a query.
    """

    # A dotted source follows the foreign key that select_related joined: no query.
    creator = serializers.ReadOnlyField(source="creator.username")
    # Iterates market.tags.all(): served from the prefetch cache, in the prefetch's order.
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    # The selector's annotation, read like any attribute.
    position_count = serializers.ReadOnlyField()

    class Meta:
        model = Market
        fields = ("id", "name", "slug", "status", "creator", "tags", "position_count")
        read_only_fields = fields
