"""The listing's DRF serializer (task 2): reads only what the selector already loaded."""

from __future__ import annotations

from rest_framework import serializers

from markets_listing.django_listing.models import Market


class MarketListSerializer(serializers.ModelSerializer):
    """One market of the listing, as JSON."""

    creator = serializers.CharField(source="creator.username", read_only=True)
    tags = serializers.SerializerMethodField()
    position_count = serializers.SerializerMethodField()

    class Meta:
        model = Market
        fields = ("id", "name", "slug", "status", "creator", "tags", "position_count")
        read_only_fields = fields

    def get_tags(self, market: Market) -> list[str]:
        return list(market.tags.order_by("name").values_list("name", flat=True))

    def get_position_count(self, market: Market) -> int:
        return market.positions.count()
