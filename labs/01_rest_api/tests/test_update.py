"""Task 4: PUT replaces the market, PATCH changes only the fields sent."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from api_checks import (
    NOT_JSON_CONTENT_TYPES,
    NOT_JSON_WHY,
    NOT_WRITABLE_FIELDS,
    SECRET,
    UNEXPECTED_IN_A_WRITE,
    UNSTORABLE,
    UNSTORABLE_WHY,
    expect_500_reveals_nothing,
    expect_error,
    expect_market,
    expect_status,
    not_writable_why,
)

from markets_rest.domain import Market, MarketData, Status
from markets_rest.store import MarketStore
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(4)


@pytest.fixture
def market(store: MarketStore) -> Market:
    return store.create(
        MarketData(
            name="Rain in Lisbon",
            slug="rain-lisbon",
            status=Status.ACTIVE,
            volume=Decimal("1234.50"),
        )
    )


def test_put_replaces_the_whole_market(
    client: HttpClient, store: MarketStore, market: Market
) -> None:
    body = {"name": "Rain in Porto", "slug": "rain-porto"}
    call = f"PUT /markets/{market.id} {body}"
    data = expect_market(
        expect_status(
            client.put(f"/markets/{market.id}", json=body),
            200,
            call,
            "a valid replacement (task 4)",
        ),
        call,
        task=4,
    )
    got = {k: data[k] for k in ("id", "name", "slug", "status", "volume")}
    expected = {"id": market.id, **body, "status": "draft", "volume": "0.00"}
    assert got == expected, (
        f"{call} answered {got}; expected {expected}: PUT sends the whole market, so status and "
        "volume, left out, go back to their defaults — merging is PATCH's job (task 4)"
    )
    stored = store.get(market.id)
    assert (stored.name, stored.volume) == ("Rain in Porto", Decimal("0.00")), (
        f"{call} answered 200 but the store holds {stored}; the replacement must be saved (task 4)"
    )
    assert data["created_at"] != data["updated_at"], (
        f"{call} answered created_at={data['created_at']} and updated_at={data['updated_at']}; "
        "a replace keeps created_at and moves updated_at (the store does it) (task 4)"
    )


def test_put_without_a_required_field_is_400(
    client: HttpClient, store: MarketStore, market: Market
) -> None:
    body = {"slug": "rain-porto", "status": "closed"}
    call = f"PUT /markets/{market.id} {body}"
    error = expect_error(
        client.put(f"/markets/{market.id}", json=body),
        400,
        "validation_failed",
        call,
        "PUT replaces the whole market, so name is required as on create (task 4)",
    )
    assert "name" in error["details"], (
        f"{call} answered details {error['details']}; expected 'name' (task 4)"
    )
    assert store.get(market.id) == market, f"{call} was refused but changed the market (task 4)"


def test_patch_changes_only_the_fields_sent(
    client: HttpClient, store: MarketStore, market: Market
) -> None:
    body = {"status": "closed"}
    call = f"PATCH /markets/{market.id} {body}"
    data = expect_market(
        expect_status(
            client.patch(f"/markets/{market.id}", json=body),
            200,
            call,
            "a PATCH sending only status is valid: omitted fields are left alone, not nulled "
            "and not required (task 4)",
        ),
        call,
        task=4,
    )
    got = {k: data[k] for k in ("name", "slug", "status", "volume")}
    expected = {
        "name": "Rain in Lisbon",
        "slug": "rain-lisbon",
        "status": "closed",
        "volume": "1234.50",
    }
    assert got == expected, (
        f"{call} answered {got}; expected {expected}: PATCH changes the fields sent and keeps "
        "every other field as it was — omitted is not null, and not the default (task 4)"
    )
    assert store.get(market.id).volume == Decimal("1234.50"), (
        f"{call} reset the stored volume to {store.get(market.id).volume}; PATCH keeps the "
        "fields it was not sent (task 4)"
    )


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"volume": "lots"}, {"status": "open"}, {"slug": "Not A Slug"}],
    ids=["null-name", "bad-volume", "bad-status", "bad-slug"],
)
def test_patch_with_an_invalid_field_is_400(
    client: HttpClient, store: MarketStore, market: Market, body: dict
) -> None:
    call = f"PATCH /markets/{market.id} {body}"
    (field,) = body
    error = expect_error(
        client.patch(f"/markets/{market.id}", json=body),
        400,
        "validation_failed",
        call,
        "a PATCH validates each field it sends, like a create (task 4)",
    )
    assert field in error["details"], (
        f"{call} answered details {error['details']}; expected {field!r} (task 4)"
    )
    assert store.get(market.id) == market, f"{call} was refused but changed the market (task 4)"


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("bad", UNSTORABLE.values(), ids=UNSTORABLE.keys())
# name: free text; status: a choice whose DRF message would echo the value (the battery
# in test_hostile.py sends both to every text field).
@pytest.mark.parametrize("field", ["name", "status"])
def test_an_update_with_text_no_database_can_store_is_400_naming_the_field(
    client: HttpClient, store: MarketStore, market: Market, method: str, field: str, bad: str
) -> None:
    valid = {"name": "Rain", "slug": "rain", "status": "closed", "volume": "1.00"}
    raw = json.dumps({**valid, field: valid[field] + bad}).encode()  # "\u0000", "\ud800"
    call = f"{method.upper()} /markets/{market.id} {raw.decode()}"
    reply = getattr(client, method)(f"/markets/{market.id}", raw=raw)
    error = expect_error(reply, 400, "validation_failed", call, UNSTORABLE_WHY.format(task=4))
    assert field in error["details"], (
        f"{call} answered details {error['details']}; expected {field!r}: "
        + UNSTORABLE_WHY.format(task=4)
    )
    assert store.get(market.id) == market, f"{call} was refused but changed the market (task 4)"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_of_a_missing_market_is_404(
    client: HttpClient, store: MarketStore, method: str
) -> None:
    call = f"{method.upper()} /markets/999"
    expect_error(
        getattr(client, method)("/markets/999", json={"name": "Ghost", "slug": "ghost"}),
        404,
        "not_found",
        call,
        "no market has id 999 (task 4)",
    )


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_to_a_taken_slug_is_409(
    client: HttpClient, store: MarketStore, market: Market, method: str
) -> None:
    store.create(MarketData(name="Other", slug="other"))
    call = f"{method.upper()} /markets/{market.id} with the slug of another market"
    expect_error(
        getattr(client, method)(f"/markets/{market.id}", json={"name": "Rain", "slug": "other"}),
        409,
        "conflict",
        call,
        "slugs are unique (task 4)",
    )


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_with_malformed_json_is_400(client: HttpClient, market: Market, method: str) -> None:
    call = f"{method.upper()} /markets/{market.id} with body '{{\"name\": '"
    expect_error(
        getattr(client, method)(f"/markets/{market.id}", raw='{"name": '),
        400,
        "invalid_json",
        call,
        "a body that is not JSON is a 400, never a 500 (task 4)",
    )


WRITES = {
    "put": {"name": "Rain in Porto", "slug": "rain-porto"},
    "patch": {"name": "Rain in Porto"},
}


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize(("what", "headers"), NOT_JSON_CONTENT_TYPES, ids=lambda v: str(v))
def test_an_update_not_sent_as_json_is_415(
    client: HttpClient,
    store: MarketStore,
    market: Market,
    method: str,
    what: str,
    headers: dict[str, str],
) -> None:
    body = json.dumps(WRITES[method]).encode()
    call = f"{method.upper()} /markets/{market.id} with a valid JSON body sent as {what}"
    expect_error(
        client.send(method, f"/markets/{market.id}", body=body, headers=headers),
        415,
        "unsupported_media_type",
        call,
        "the API reads application/json only: any other Content-Type, or none, is 415 "
        "Unsupported Media Type, for an update as for a create"
        + (f"; {NOT_JSON_WHY}" if "+json" in what else "")
        + " (task 4)",
    )
    assert store.get(market.id) == market, f"{call} was refused but changed the market (task 4)"


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("field", list(NOT_WRITABLE_FIELDS))
def test_an_update_never_writes_a_read_only_or_unknown_field(
    client: HttpClient, store: MarketStore, market: Market, method: str, field: str
) -> None:
    body = {**WRITES[method], field: NOT_WRITABLE_FIELDS[field]}
    call = f"{method.upper()} /markets/{market.id} {body}"
    error = expect_error(
        getattr(client, method)(f"/markets/{market.id}", json=body),
        400,
        "validation_failed",
        call,
        not_writable_why(field, 4),
    )
    assert field in error["details"], (
        f"{call} answered details {error['details']}; expected {field!r} (task 4)"
    )
    assert store.get(market.id) == market and store.list(limit=10).count == 1, (
        f"{call} was refused but changed the market (task 4)"
    )


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_stores_the_validated_values_not_the_raw_body(
    client: HttpClient, store: MarketStore, market: Market, method: str
) -> None:
    body = {**WRITES[method], "name": "  Rain in Porto  "}
    call = f"{method.upper()} /markets/{market.id} {body}"
    data = expect_status(
        getattr(client, method)(f"/markets/{market.id}", json=body), 200, call, "valid (task 4)"
    )
    stored = store.get(market.id).name
    assert (data["name"], stored) == ("Rain in Porto", "Rain in Porto"), (
        f"{call} answered name {data['name']!r} and stored {stored!r}; expected 'Rain in "
        "Porto' in both: validation trims the name, and the store gets the validated values "
        "(validated_data, the model's dump) — never the raw request body, which also carries "
        "whatever else the client sent (task 4)"
    )


@pytest.mark.parametrize("volume", [0.1, 12], ids=ascii)
def test_patch_volume_as_a_json_number_is_400(
    client: HttpClient, store: MarketStore, market: Market, volume: float
) -> None:
    call = f"PATCH /markets/{market.id} {{'volume': {volume}}}"
    error = expect_error(
        client.patch(f"/markets/{market.id}", json={"volume": volume}),
        400,
        "validation_failed",
        call,
        'money is a decimal string like "1234.50", in a PATCH as in a create (task 4)',
    )
    assert "volume" in error["details"], (
        f"{call} answered details {error['details']}; expected 'volume' (task 4)"
    )
    assert store.get(market.id) == market, f"{call} was refused but changed the market (task 4)"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_an_update_with_an_empty_body_is_400(
    client: HttpClient, store: MarketStore, market: Market, method: str
) -> None:
    call = f"{method.upper()} /markets/{market.id} with an empty body (application/json)"
    expect_error(
        getattr(client, method)(f"/markets/{market.id}", raw=b""),
        400,
        "invalid_json",
        call,
        "no bytes are not a JSON object — and not `{}`, which DRF hands a view for an empty "
        "body: a PATCH with no body is a client mistake, not a 200 that changes nothing "
        "(task 4)",
    )
    assert store.get(market.id) == market, f"{call} was refused but changed the market (task 4)"


@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("error", [RuntimeError, RecursionError])
def test_an_unexpected_error_in_a_write_is_a_500_that_reveals_nothing(
    client: HttpClient,
    store: MarketStore,
    market: Market,
    monkeypatch: pytest.MonkeyPatch,
    method: str,
    error: type,
) -> None:
    def broken_write(*args: object) -> None:
        raise error(f"connection to {SECRET} lost")

    monkeypatch.setattr(store, "replace" if method == "put" else "update", broken_write)
    expect_500_reveals_nothing(
        getattr(client, method)(f"/markets/{market.id}", json=WRITES[method]),
        f"{method.upper()} /markets/{market.id} {WRITES[method]}",
        error,
        UNEXPECTED_IN_A_WRITE.format(task=4),
    )


def test_patch_never_writes_back_a_stale_read(
    client: HttpClient, store: MarketStore, market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = store.get
    competing = [{"volume": Decimal("99.00")}]  # another client's PATCH, landing once

    def get_then_let_a_competing_patch_in(market_id: int) -> Market:
        seen = read(market_id)
        while competing:  # it lands after this read, before the view's own write
            store.update(market_id, competing.pop())
        return seen

    monkeypatch.setattr(store, "get", get_then_let_a_competing_patch_in)
    call = f"PATCH /markets/{market.id} {{'status': 'closed'}}"
    expect_status(
        client.patch(f"/markets/{market.id}", json={"status": "closed"}), 200, call, "(task 4)"
    )
    while competing:  # the view never read the market: the other PATCH lands after it
        store.update(market.id, competing.pop())
    stored = read(market.id)
    assert (stored.status, stored.volume) == (Status.CLOSED, Decimal("99.00")), (
        f"{call}, while another client's PATCH set volume to 99.00 right after this view read "
        f"the market, left status={stored.status.value!r}, volume={stored.volume}; expected "
        "'closed' and 99.00: a lost update — reading the market, merging the sent fields in "
        "Python and writing the whole of it back (store.replace) undoes every change made in "
        "between. Hand the store only the changes, store.update(id, changes), which merges "
        "them under its lock (task 4)"
    )
