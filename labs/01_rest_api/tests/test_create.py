"""Task 3: POST /markets — 201 with Location, per-field validation, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from api_checks import (
    JSON_CONTENT_TYPES,
    NOT_JSON_CONTENT_TYPES,
    NOT_JSON_WHY,
    NOT_WRITABLE_FIELDS,
    SECRET,
    UNEXPECTED_IN_A_WRITE,
    UNSTORABLE,
    UNSTORABLE_WHY,
    expect_500_reveals_nothing,
    expect_absolute_url,
    expect_error,
    expect_market,
    expect_status,
    not_writable_why,
    path_of,
)

from markets_rest.domain import MarketData
from markets_rest.store import MarketStore
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(3)

VALID = {"name": "Rain in Lisbon", "slug": "rain-lisbon", "status": "active", "volume": "1234.50"}


def test_create_answers_201_with_location(client: HttpClient, store: MarketStore) -> None:
    reply = client.post("/markets", json=VALID)
    data = expect_status(reply, 201, "POST /markets", "a create answers 201 Created (task 3)")
    expect_market(data, "POST /markets", task=3)
    location = reply.header("Location")
    assert location is not None and path_of(location) == f"/markets/{data['id']}", (
        f"POST /markets answered Location: {location!r} for market id {data.get('id')}; a 201 "
        f"carries a Location header pointing at the new market, /markets/{data.get('id')} (task 3)"
    )
    expect_absolute_url(location, "POST /markets", "Location", task=3)
    follow = client.get(path_of(location))
    assert follow.status == 200 and follow.json()["slug"] == "rain-lisbon", (
        f"GET {location} (the Location of the new market) answered {follow.status}; the header "
        "must lead to the market just created (task 3)"
    )
    assert store.get(data["id"]).name == "Rain in Lisbon", (
        "POST /markets answered 201 but the store does not hold the market (task 3)"
    )


def test_create_keeps_volume_exact_and_fills_defaults(
    client: HttpClient, store: MarketStore
) -> None:
    body = {"name": "Quiet", "slug": "quiet"}
    data = expect_status(
        client.post("/markets", json=body),
        201,
        f"POST /markets {body}",
        "name and slug are enough (task 3)",
    )
    assert (data["status"], data["volume"]) == ("draft", "0.00"), (
        f"POST /markets {body} answered status={data['status']!r}, volume={data['volume']!r}; "
        "omitted fields take their defaults: 'draft' and '0.00' (task 3)"
    )
    body = {"name": "Exact", "slug": "exact", "volume": "1234.5"}
    data = expect_status(
        client.post("/markets", json=body), 201, f"POST /markets {body}", "a valid market (task 3)"
    )
    assert data["volume"] == "1234.50", (
        f"POST /markets {body} answered volume {data['volume']!r}; expected the string "
        "'1234.50': a Decimal to the cent, never a float (task 3)"
    )


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name", "slug"}),
        ({"slug": "no-name"}, {"name"}),
        ({"name": "  ", "slug": "blank"}, {"name"}),
        ({"name": "Bad slug", "slug": "Not A Slug!"}, {"slug"}),
        ({"name": "Bad status", "slug": "bad-status", "status": "open"}, {"status"}),
        ({"name": "Bad volume", "slug": "bad-volume", "volume": "lots"}, {"volume"}),
        ({"name": "Negative", "slug": "negative", "volume": "-1.00"}, {"volume"}),
        ({"name": "Sub-cent", "slug": "sub-cent", "volume": "0.001"}, {"volume"}),
        ({"name": ["a", "list"], "slug": True}, {"name", "slug"}),
    ],
    ids=[
        "empty",
        "no-name",
        "blank-name",
        "bad-slug",
        "bad-status",
        "bad-volume",
        "negative-volume",
        "sub-cent-volume",
        "wrong-types",
    ],
)
def test_invalid_market_is_400_with_per_field_messages(
    client: HttpClient, store: MarketStore, body: dict[str, Any], fields: set[str]
) -> None:
    call = f"POST /markets {body}"
    error = expect_error(
        client.post("/markets", json=body),
        400,
        "validation_failed",
        call,
        "an invalid body is the client's mistake: 400 with a message per field (never a 500, "
        "and 400 rather than FastAPI's default 422: one status across frameworks) (task 3)",
    )
    assert fields <= set(error["details"]), (
        f"{call} answered details {error['details']}; expected a message for each of "
        f"{sorted(fields)} (task 3)"
    )
    assert store.list(limit=10).count == 0, f"{call} was refused but stored a market (task 3)"


@pytest.mark.parametrize(
    "raw",
    ['{"name": "Rain", ', "name=Rain&slug=rain"],
    ids=["truncated", "form-encoded"],
)
def test_malformed_json_is_400_not_500(client: HttpClient, raw: str) -> None:
    expect_error(
        client.post("/markets", raw=raw),
        400,
        "invalid_json",
        f"POST /markets with body {raw!r}",
        "a body that is not JSON is answered 400 'invalid_json' in the envelope; a 500 would "
        "blame the server for the client's mistake (task 3)",
    )


def test_json_that_is_not_an_object_is_a_validation_error(client: HttpClient) -> None:
    expect_error(
        client.post("/markets", json=["Rain", "rain"]),
        400,
        "validation_failed",
        'POST /markets with body ["Rain", "rain"]',
        "valid JSON but not an object: 400 'validation_failed', never a 500 (task 3)",
    )


def test_create_with_a_taken_slug_is_409(client: HttpClient, store: MarketStore) -> None:
    store.create(MarketData(name="First", slug="rain-lisbon"))
    error = expect_error(
        client.post("/markets", json=VALID),
        409,
        "conflict",
        "POST /markets (slug taken)",
        "slugs are unique: the store's SlugTaken becomes 409 Conflict (task 3)",
    )
    assert "slug" in error["details"], (
        f"POST /markets with a taken slug answered details {error['details']}; name the "
        "conflicting field, 'slug' (task 3)"
    )


@pytest.mark.parametrize(("what", "headers"), NOT_JSON_CONTENT_TYPES, ids=lambda v: str(v))
def test_a_body_not_sent_as_json_is_415(
    client: HttpClient, store: MarketStore, what: str, headers: dict[str, str]
) -> None:
    call = f"POST /markets with a valid JSON body sent as {what}"
    expect_error(
        client.send("POST", "/markets", body=json.dumps(VALID).encode(), headers=headers),
        415,
        "unsupported_media_type",
        call,
        "the API reads application/json only: a body declared as anything else (or as "
        "nothing) is 415 Unsupported Media Type — neither guessed at and accepted, nor a 400 "
        "about its fields, nor a 500 from an unhandled framework error"
        + (f"; {NOT_JSON_WHY}" if "+json" in what else "")
        + " (task 3)",
    )
    assert store.list(limit=10).count == 0, f"{call} was refused but stored a market (task 3)"


@pytest.mark.parametrize("field", list(NOT_WRITABLE_FIELDS))
def test_a_field_the_client_may_not_write_is_400_naming_it(
    client: HttpClient, store: MarketStore, field: str
) -> None:
    body = {**VALID, field: NOT_WRITABLE_FIELDS[field]}
    call = f"POST /markets {body}"
    error = expect_error(
        client.post("/markets", json=body),
        400,
        "validation_failed",
        call,
        not_writable_why(field, 3),
    )
    assert field in error["details"], (
        f"{call} answered details {error['details']}; expected {field!r} (task 3)"
    )
    assert store.list(limit=10).count == 0, f"{call} was refused but stored a market (task 3)"


@pytest.mark.parametrize("bad", UNSTORABLE.values(), ids=UNSTORABLE.keys())
# name: free text; status: a choice whose DRF message would echo the value (the battery
# in test_hostile.py sends both to every text field).
@pytest.mark.parametrize("field", ["name", "status"])
def test_text_no_database_can_store_is_400_naming_the_field(
    client: HttpClient, store: MarketStore, field: str, bad: str
) -> None:
    raw = json.dumps({**VALID, field: VALID[field] + bad}).encode()  # "\u0000", "\ud800"
    call = f"POST /markets {raw.decode()}"
    error = expect_error(
        client.post("/markets", raw=raw),
        400,
        "validation_failed",
        call,
        UNSTORABLE_WHY.format(task=3),
    )
    assert field in error["details"], (
        f"{call} answered details {error['details']}; expected {field!r}: "
        + UNSTORABLE_WHY.format(task=3)
    )
    assert store.list(limit=10).count == 0, f"{call} was refused but stored a market (task 3)"


@pytest.mark.parametrize("volume", [0.1, 12, "1e3", "NaN", " 12.50"], ids=ascii)
def test_volume_that_is_not_a_decimal_string_is_400(
    client: HttpClient, store: MarketStore, volume: object
) -> None:
    body = {"name": "Money", "slug": "money", "volume": volume}
    call = f"POST /markets {json.dumps(body)}"
    error = expect_error(
        client.post("/markets", json=body),
        400,
        "validation_failed",
        call,
        'money is a decimal string like "1234.50": a JSON number has already been a binary '
        "float on the way (0.1 is 0.1000000000000000055…), so it is refused, not rounded "
        "(task 3)",
    )
    assert "volume" in error["details"], (
        f"{call} answered details {error['details']}; expected 'volume' (task 3)"
    )


def test_create_stores_the_validated_values_not_the_raw_body(
    client: HttpClient, store: MarketStore
) -> None:
    body = {"name": "  Rain in Lisbon  ", "slug": "rain-lisbon", "volume": "5.5"}
    call = f"POST /markets {body}"
    data = expect_status(client.post("/markets", json=body), 201, call, "a valid market (task 3)")
    stored = store.get(data["id"])
    assert (data["name"], stored.name) == ("Rain in Lisbon", "Rain in Lisbon"), (
        f"{call} answered name {data['name']!r} and stored {stored.name!r}; expected "
        "'Rain in Lisbon' in both: validation trims the name, and what goes to the store is "
        "the validated data (validated_data, the model), never the raw request body (task 3)"
    )


@pytest.mark.parametrize(
    ("what", "raw"),
    [
        ("an empty body", b""),
        ("an object nested 10,000 deep", b'{"a":' * 10_000 + b"1" + b"}" * 10_000),
    ],
    ids=["empty", "nested-10000-deep"],
)
def test_a_body_that_is_no_usable_json_is_400(client: HttpClient, what: str, raw: bytes) -> None:
    expect_error(
        client.post("/markets", raw=raw),
        400,
        "invalid_json",
        f"POST /markets with {what} (Content-Type: application/json)",
        "a body the server cannot read as one JSON object is the client's mistake: 400 "
        "'invalid_json'. DRF hands a view {} for an empty body, and json.load raises "
        "RecursionError (not a ParseError) on deep nesting: both must still be a 400 (task 3)",
    )


@pytest.mark.parametrize("content_type", JSON_CONTENT_TYPES)
def test_json_with_a_charset_parameter_is_accepted(
    client: HttpClient, store: MarketStore, content_type: str
) -> None:
    call = f"POST /markets with Content-Type: {content_type}"
    reply = client.send(
        "POST", "/markets", body=json.dumps(VALID).encode(), headers={"Content-Type": content_type}
    )
    expect_status(
        reply,
        201,
        call,
        "that is application/json, with a parameter many clients add, and media types are "
        "case-insensitive (RFC 9110 §8.3.1): compare the lower-cased media type "
        "(contract.is_json), not the whole header string as sent (task 3)",
    )


@pytest.mark.parametrize("error", [RuntimeError, RecursionError])
def test_an_unexpected_error_in_a_write_is_a_500_that_reveals_nothing(
    client: HttpClient, store: MarketStore, monkeypatch: pytest.MonkeyPatch, error: type
) -> None:
    def broken_create(data: MarketData) -> None:
        raise error(f"connection to {SECRET} lost")

    monkeypatch.setattr(store, "create", broken_create)
    expect_500_reveals_nothing(
        client.post("/markets", json=VALID),
        f"POST /markets {VALID}",
        error,
        UNEXPECTED_IN_A_WRITE.format(task=3),
    )
