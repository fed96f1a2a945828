"""Task 5: DELETE answers 204 then 404; an unsupported method is a 405 in the envelope."""

from __future__ import annotations

import pytest
from api_checks import expect_error, expect_no_internals, expect_status

from markets_rest.domain import MarketData
from markets_rest.store import MarketStore
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(5)


def test_delete_answers_204_then_404(client: HttpClient, store: MarketStore) -> None:
    market = store.create(MarketData(name="Short-lived", slug="short-lived"))
    call = f"DELETE /markets/{market.id}"
    first = client.delete(f"/markets/{market.id}")
    assert (first.status, first.body) == (204, b""), (
        f"{call} answered {first.status} {first.text!r}; a delete answers 204 No Content, with "
        "an empty body (task 5)"
    )
    assert store.list(limit=10).count == 0, (
        f"{call} answered 204 but the market is still stored (task 5)"
    )
    expect_error(
        client.delete(f"/markets/{market.id}"),
        404,
        "not_found",
        f"{call} a second time",
        "the market is gone, so a second delete finds nothing: 404 in the envelope (task 5)",
    )
    expect_error(
        client.get(f"/markets/{market.id}"),
        404,
        "not_found",
        f"GET /markets/{market.id} after the delete",
        "a deleted market is gone (task 5)",
    )


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("delete", "/markets", {"GET", "POST"}),
        ("put", "/markets", {"GET", "POST"}),
        ("post", "/markets/1", {"GET", "PUT", "PATCH", "DELETE"}),
    ],
)
def test_unsupported_method_is_405_in_the_envelope_with_allow(
    client: HttpClient, store: MarketStore, method: str, path: str, allowed: set[str]
) -> None:
    store.create(MarketData(name="Here", slug="here"))
    call = f"{method.upper()} {path}"
    reply = getattr(client, method)(path, json={"name": "X", "slug": "x"})
    expect_error(
        reply,
        405,
        "method_not_allowed",
        call,
        "the URL exists but not with this method: 405 Method Not Allowed, in the same envelope "
        "as every other error (task 5)",
    )
    header = reply.header("Allow") or ""
    methods = {m.strip().upper() for m in header.split(",") if m.strip()}
    assert allowed <= methods and method.upper() not in methods, (
        f"{call} answered Allow: {header!r}; a 405 lists the methods the URL does accept, "
        f"here {sorted(allowed)} (RFC 9110 §15.5.6) (task 5)"
    )


@pytest.mark.parametrize("path", ["/markets/abc", "/markets/1.5", "/no-such-resource"])
def test_a_url_that_names_no_resource_is_404_in_the_envelope(client: HttpClient, path: str) -> None:
    error = expect_error(
        client.get(path),
        404,
        "not_found",
        f"GET {path}",
        "no resource has this URL (a market id is a whole number): the router's own 404 is "
        "an error like any other, so it comes in the same envelope — not an HTML page, and "
        "not a 400 about a path parameter (task 5)",
    )
    expect_no_internals(error, f"GET {path}", task=5)


def test_an_accept_header_the_api_cannot_serve_is_not_a_500(
    client: HttpClient, store: MarketStore
) -> None:
    market = store.create(MarketData(name="Rain", slug="rain"))
    call = f"GET /markets/{market.id} with Accept: application/xml"
    reply = client.get(f"/markets/{market.id}", headers={"Accept": "application/xml"})
    if reply.status == 406:
        expect_error(
            reply, 406, "not_acceptable", call, "DRF refuses what it cannot render (task 5)"
        )
        return
    expect_status(
        reply,
        200,
        call,
        "the API speaks JSON only: it answers JSON anyway (FastAPI, Flask) or 406 Not "
        "Acceptable in the envelope (DRF raises NotAcceptable) — never a 500. Every DRF "
        "APIException (NotAcceptable, UnsupportedMediaType, ParseError…) goes through your "
        "exception_handler, not only the ones you thought of (task 5)",
    )


@pytest.mark.flask
def test_flask_body_over_the_configured_limit_is_413_in_the_envelope() -> None:
    from markets_rest.contract import code_for_status
    from markets_rest.flask_app import create_app
    from markets_rest.store import MarketStore
    from patterns_workbook.testing.http import as_client

    client = as_client(create_app(MarketStore(), {"MAX_CONTENT_LENGTH": 64}))
    body = {"name": "x" * 100, "slug": "big"}
    call = "POST /markets with a 120-byte body to an app configured with MAX_CONTENT_LENGTH=64"
    expect_error(
        client.post("/markets", json=body),
        413,
        code_for_status(413),  # "request_entity_too_large" ("content_too_large" on 3.13)
        call,
        "Werkzeug refuses a body over the app's MAX_CONTENT_LENGTH with its own 413: an HTTP "
        "error like the 404 and 405, rendered in the envelope by the app's HTTPException "
        "handler — and create_app applies the config it is given (task 5)",
    )
