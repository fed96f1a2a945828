"""Task 1: a market goes into Redis as JSON text and comes back exactly as it went in."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from conftest import LISBON

from markets_cache.codec import decode_market, encode_market
from markets_cache.domain import Market, Status

pytestmark = [pytest.mark.core, pytest.mark.task(1)]


def make(volume: str = "0.10", when: datetime | None = None) -> Market:
    when = when or datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    return Market(7, "Rain in Lisbon", "rain-lisbon", Status.ACTIVE, Decimal(volume), when, when)


def round_trip(market: Market) -> Market:
    text = encode_market(market)
    assert isinstance(text, str), (
        f"encode_market returned {type(text).__name__}; it returns the JSON text (a str) "
        "that the cache stores (task 1)"
    )
    return decode_market(text)


@pytest.mark.parametrize(
    "volume", ["0.10", "1234.50", "12345678901234567890.123456789", "0", "0.00", "1E+3"]
)
def test_volume_comes_back_exactly_scale_included(volume: str) -> None:
    back = round_trip(make(volume)).volume
    assert isinstance(back, Decimal) and back.as_tuple() == Decimal(volume).as_tuple(), (
        f"Decimal({volume!r}) came back from the cache as {back!r}; money must round-trip "
        "exactly, scale included: a float loses both (0.10 → 0.1, and past 15 digits the "
        "amount itself drifts) — write it as its decimal string (task 1)"
    )


@pytest.mark.parametrize(
    "when",
    [
        datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
        datetime(2026, 7, 1, 23, 59, 59, 999999, tzinfo=LISBON),
        datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC),
    ],
    ids=["utc-microseconds", "plus-one-hour", "whole-second"],
)
def test_timestamps_come_back_aware_with_their_offset_and_microseconds(when: datetime) -> None:
    back = round_trip(make(when=when))
    for name in ("created_at", "updated_at"):
        got = getattr(back, name)
        same = (
            isinstance(got, datetime)
            and got.utcoffset() == when.utcoffset()
            and got.replace(tzinfo=None) == when.replace(tzinfo=None)
        )
        assert same, (
            f"{name} {when.isoformat()} came back from the cache as {got!r}; a timestamp must "
            "round-trip timezone-aware, with its offset and its microseconds — ISO 8601 "
            "(datetime.isoformat / fromisoformat) keeps all three (task 1)"
        )


def test_every_field_comes_back_equal() -> None:
    market = make()
    back = round_trip(market)
    assert back == market and isinstance(back.status, Status), (
        f"the cache gave back {back!r} for {market!r}; every field must come back equal, "
        "the status as a Status (task 1)"
    )


@pytest.mark.parametrize("volume", [0.1, 10, None], ids=["float", "int", "null"])
def test_a_volume_that_is_not_a_decimal_string_is_refused(volume: object) -> None:
    data = json.loads(encode_market(make()))
    data["volume"] = volume
    text = json.dumps(data)
    try:
        got: object = decode_market(text)
    except (TypeError, ValueError, ArithmeticError):
        return
    pytest.fail(
        f"decode_market read {text[:160]!r} and returned {got!r}; a volume that is not a "
        "decimal string was not written by encode_market (a foreign writer, an older "
        "release): Decimal(0.1) is 0.1000000000000000055511…, a float's error turned into "
        "money. Refuse it (raise TypeError or ValueError): the cache then reloads the entry "
        "(task 1)"
    )


def test_the_stored_text_is_json_with_money_as_a_string() -> None:
    text = encode_market(make("0.10"))
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        data = None
    assert isinstance(data, dict), (
        f"encode_market wrote {text[:80]!r}, which is not a JSON object; the cache stores "
        "JSON text — never pickle, which runs code chosen by whoever can write to Redis when "
        "it is read, and ties every cached value to today's class layout (task 1)"
    )
    assert data.get("volume") == "0.10", (
        f"the stored JSON holds volume {data.get('volume')!r}; money is stored as its "
        "decimal string '0.10', as the API sends it: a JSON number is read back as a float "
        "by every other reader of the cache (task 1)"
    )
    assert data.get("created_at") == "2026-03-01T09:30:15.123456+00:00", (
        f"the stored JSON holds created_at {data.get('created_at')!r}; expected ISO 8601 "
        "with the offset, '2026-03-01T09:30:15.123456+00:00' (task 1)"
    )
