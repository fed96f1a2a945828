"""The DRF serializer: the same rules as `markets_rest.schemas`. Given code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from markets_rest.contract import UNSTORABLE_TEXT, is_storable_text
from markets_rest.domain import Status
from markets_rest.schemas import (
    MONEY_AS_STRING,
    MONEY_FORMAT,
    MONEY_PATTERN,
    READ_ONLY_FIELDS,
    SLUG_PATTERN,
)


class MoneyField(serializers.DecimalField):
    """A DecimalField that takes only a decimal string: DRF's own takes 0.1 (a float) too."""

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            raise serializers.ValidationError(MONEY_AS_STRING)
        if not re.fullmatch(MONEY_PATTERN, data):
            raise serializers.ValidationError(MONEY_FORMAT)
        return super().to_internal_value(data)


class MarketSerializer(serializers.Serializer):
    """Validates a body (POST, PUT, or PATCH with `partial=True`) and renders a market.

    `volume` renders as a string with two decimals ("1234.50"): DecimalField's default. A
    body naming a field the client may not write — unknown, or read-only like `id` — is
    invalid: DRF would silently drop it, and the client would never learn of its typo. Text
    holding a NUL or a lone surrogate is invalid in every field (`contract.is_storable_text`),
    checked before the field's own rule: ChoiceField's message would echo it back, and a lone
    surrogate cannot be encoded into the response.
    `validated_data` holds the cleaned writable fields only (names trimmed, volume a Decimal).
    """

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    slug = serializers.RegexField(SLUG_PATTERN, max_length=100)
    status = serializers.ChoiceField(choices=[s.value for s in Status], default=Status.DRAFT)
    volume = MoneyField(
        max_digits=14, decimal_places=2, min_value=Decimal(0), default=Decimal("0.00")
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors = {
                key: [_not_writable(key)]
                for key in data
                if key in READ_ONLY_FIELDS or key not in self.fields
            }
            errors |= {
                key: [UNSTORABLE_TEXT]
                for key, value in data.items()
                if key not in errors and isinstance(value, str) and not is_storable_text(value)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _not_writable(field: str) -> str:
    if field in READ_ONLY_FIELDS:
        return "This field is read-only: the server sets it."
    return "Unknown field: a market has no such field."
