"""The DRF serializer: the same rules as `markets_rest.schemas`. Given code."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from markets_rest.domain import Status
from markets_rest.schemas import SLUG_PATTERN


class MarketSerializer(serializers.Serializer):
    """Validates a body (POST, PUT, or PATCH with `partial=True`) and renders a market.

    `volume` renders as a string with two decimals ("1234.50"): DecimalField's default.
    """

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    slug = serializers.RegexField(SLUG_PATTERN, max_length=100)
    status = serializers.ChoiceField(choices=[s.value for s in Status], default=Status.DRAFT)
    volume = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), default=Decimal("0.00")
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
