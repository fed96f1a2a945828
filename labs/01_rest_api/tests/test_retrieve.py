"""Task 2: GET /markets/{id} — the market's representation, and 404 in the error envelope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from api_checks import (
    SECRET,
    expect_500_reveals_nothing,
    expect_error,
    expect_market,
    expect_no_internals,
    expect_status,
)

from markets_rest.domain import MarketData, Status
from markets_rest.store import MarketStore
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(2)


def test_retrieve_answers_the_market(client: HttpClient, store: MarketStore) -> None:
    market = store.create(
        MarketData(
            name="Rain in Lisbon",
            slug="rain-lisbon",
            status=Status.ACTIVE,
            volume=Decimal("1234.50"),
        )
    )
    call = f"GET /markets/{market.id}"
    data = expect_market(
        expect_status(
            client.get(f"/markets/{market.id}"), 200, call, "an existing market (task 2)"
        ),
        call,
        task=2,
    )
    expected = {
        "id": market.id,
        "name": "Rain in Lisbon",
        "slug": "rain-lisbon",
        "status": "active",
        "volume": "1234.50",
    }
    got = {key: data[key] for key in expected}
    assert got == expected, f"{call} answered {got}; expected {expected} (task 2)"


@pytest.mark.parametrize("volume", ["1234.50", "0.10"])
def test_volume_is_an_exact_decimal_string(
    client: HttpClient, store: MarketStore, volume: str
) -> None:
    market = store.create(MarketData(name="Money", slug="money", volume=Decimal(volume)))
    call = f"GET /markets/{market.id}"
    data = expect_status(client.get(f"/markets/{market.id}"), 200, call, "a market (task 2)")
    assert data["volume"] == volume, (
        f"{call} answered volume {data['volume']!r} for a market whose volume is "
        f"Decimal({volume!r}); expected the string {volume!r}, every digit kept — a float "
        "turns 1234.50 into 1234.5 and 0.10 into 0.1 (task 2)"
    )


def test_timestamps_are_utc_iso_8601(client: HttpClient, store: MarketStore) -> None:
    market = store.create(MarketData(name="Clock", slug="clock"))
    call = f"GET /markets/{market.id}"
    data = expect_status(client.get(f"/markets/{market.id}"), 200, call, "a market (task 2)")
    expect_market(data, call, task=2)
    assert data["created_at"].startswith("2026-01-01T00:00:00"), (
        f"{call} answered created_at={data['created_at']!r}; the market was created at "
        "2026-01-01T00:00:00Z (task 2)"
    )


def test_retrieve_missing_market_is_404_in_the_envelope(
    client: HttpClient, store: MarketStore
) -> None:
    store.create(MarketData(name="Only one", slug="only-one"))
    error = expect_error(
        client.get("/markets/999"),
        404,
        "not_found",
        "GET /markets/999",
        "no market has id 999; the store's MarketNotFound becomes a 404 in the envelope, not a "
        "500 (task 2)",
    )
    expect_no_internals(error, "GET /markets/999", task=2)


@pytest.mark.parametrize("error", [RuntimeError, RecursionError])
def test_an_unexpected_error_is_a_500_that_reveals_nothing(
    client: HttpClient, store: MarketStore, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    def broken_get(market_id: int) -> None:
        raise error(f"connection to {SECRET} lost")

    monkeypatch.setattr(store, "get", broken_get)
    expect_500_reveals_nothing(
        client.get("/markets/1"),
        "GET /markets/1",
        error,
        "an unexpected exception's text and type are internals (a password, a host, a "
        "stack). Handle the errors the contract names — where they are raised: a "
        "RecursionError caught far from the body parser is a bug reported as the client's "
        "mistake — and leave the rest to the framework, whose 500 says only that the server "
        "failed (task 2)",
    )
