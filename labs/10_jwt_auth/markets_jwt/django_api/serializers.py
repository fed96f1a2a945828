"""DRF serializers with the rules of `contract.LoginIn` and `contract.MarketIn`. Given code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from markets_jwt.contract import UNSTORABLE_TEXT, is_storable_text


class StrictSerializer(serializers.Serializer):
    """A body naming a field the client may not write (unknown, or read-only) is invalid:
    DRF would silently drop it. Text with a NUL or a lone surrogate is invalid everywhere."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            errors = {key: ["Unknown field."] for key in data if key not in writable}
            errors |= {
                key: [UNSTORABLE_TEXT]
                for key, value in data.items()
                if key not in errors and isinstance(value, str) and not is_storable_text(value)
            }
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class LoginSerializer(StrictSerializer):
    username = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=200, trim_whitespace=False)


class RefreshSerializer(StrictSerializer):
    refresh_token = serializers.CharField(max_length=200, trim_whitespace=False)


class MarketSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=200)
    creator = serializers.CharField(read_only=True)
