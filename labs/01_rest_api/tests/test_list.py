"""Task 1: GET /markets — filter, order by an allow-listed field, paginate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from api_checks import (
    expect_absolute_url,
    expect_error,
    expect_market,
    expect_status,
    params_of,
    path_of,
)

from markets_rest.contract import DEFAULT_LIMIT, MAX_LIMIT
from markets_rest.domain import MarketData, Status
from markets_rest.store import MarketStore
from patterns_workbook.testing.http import HttpClient, Reply

pytestmark = pytest.mark.task(1)


def add_markets(store: MarketStore, n: int, **fields: object) -> None:
    store.add_many(MarketData(name=f"Market {i}", slug=f"market-{i}", **fields) for i in range(n))


def test_list_answers_a_page_with_count_and_links(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, 3)
    body = expect_status(client.get("/markets"), 200, "GET /markets", "the list (task 1)")
    assert isinstance(body, dict) and set(body) == {"count", "next", "previous", "results"}, (
        f"GET /markets answered {str(body)[:300]}; a page is an object with exactly count, "
        "next, previous and results (task 1)"
    )
    assert body["count"] == 3 and len(body["results"]) == 3, (
        f"GET /markets with 3 markets answered count={body['count']} and "
        f"{len(body['results'])} results; expected 3 and 3 (task 1)"
    )
    assert body["next"] is None and body["previous"] is None, (
        f"GET /markets with 3 markets answered next={body['next']!r}, "
        f"previous={body['previous']!r}; one page holds them all, so both are null (task 1)"
    )
    expect_market(body["results"][0], "GET /markets", task=1)


def test_list_filters_by_status(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, 2)
    store.add_many([MarketData(name="Open one", slug="open-one", status=Status.ACTIVE)])
    reply = client.get("/markets", params={"status": "active"})
    body = expect_status(reply, 200, "GET /markets?status=active", "a filtered list (task 1)")
    statuses = [m["status"] for m in body["results"]]
    assert statuses == ["active"] and body["count"] == 1, (
        f"GET /markets?status=active with 1 active and 2 draft markets answered count="
        f"{body['count']}, statuses {statuses}; expected only the active one, and count "
        "counting the filtered markets (task 1)"
    )


def test_list_orders_by_an_allow_listed_field(client: HttpClient, store: MarketStore) -> None:
    for i, volume in enumerate(["5.00", "1200.50", "30.25"]):
        store.create(MarketData(name=f"M{i}", slug=f"m-{i}", volume=Decimal(volume)))
    reply = client.get("/markets", params={"ordering": "-volume"})
    body = expect_status(reply, 200, "GET /markets?ordering=-volume", "an ordered list (task 1)")
    volumes = [m["volume"] for m in body["results"]]
    assert volumes == ["1200.50", "30.25", "5.00"], (
        f"GET /markets?ordering=-volume answered volumes {volumes}; expected the largest "
        "first: ['1200.50', '30.25', '5.00'] (task 1)"
    )


@pytest.mark.parametrize("ordering", ["slug", "no_such_field"])
def test_list_rejects_ordering_outside_the_allow_list(
    client: HttpClient, store: MarketStore, ordering: str
) -> None:
    add_markets(store, 2)
    call = f"GET /markets?ordering={ordering}"
    error = expect_error(
        client.get("/markets", params={"ordering": ordering}),
        400,
        "invalid_query",
        call,
        "only allow-listed fields may order the list; never hand the raw value to the store or "
        "the ORM (task 1)",
    )
    assert "ordering" in error["details"], (
        f"{call} answered details {error['details']}; details['ordering'] should say which "
        "fields are allowed (task 1)"
    )


@pytest.mark.parametrize(
    "params",
    [
        {"status": "open"},
        {"limit": "-1"},
        {"limit": "lots"},
        {"offset": "-5"},
        {"limit": "+5"},
        {"limit": "5.0"},
        {"limit": "5_000"},
        {"offset": "\u0667"},
        {"status": ""},
    ],
    ids=[
        "status=open",
        "limit=-1",
        "limit=lots",
        "offset=-5",
        "limit=+5",
        "limit=5.0",
        "limit=5_000",
        "offset=arabic-indic-seven",
        "status=blank",
    ],
)
def test_list_rejects_malformed_parameters_with_400(
    client: HttpClient, store: MarketStore, params: dict
) -> None:
    add_markets(store, 2)
    ((name, value),) = params.items()
    call = f"GET /markets?{name}={value}"
    error = expect_error(
        client.get("/markets", params=params),
        400,
        "invalid_query",
        call,
        "a malformed query parameter is the client's mistake — 400 naming it, not a 500 and "
        "not silently ignored; a whole number is ASCII digits only, which int() and a "
        "Pydantic int field do not check: let listing.parse_list_query decide (task 1)",
    )
    assert name in error["details"], (
        f"{call} answered details {error['details']}; details should name {name!r} (task 1)"
    )


def test_list_caps_limit_at_the_maximum(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, MAX_LIMIT + 5)
    call = f"GET /markets?limit={MAX_LIMIT * 10}"
    body = expect_status(
        client.get("/markets", params={"limit": MAX_LIMIT * 10}),
        200,
        call,
        "a too-large limit is capped, not refused (task 1)",
    )
    assert len(body["results"]) == MAX_LIMIT and body["count"] == MAX_LIMIT + 5, (
        f"{call} with {MAX_LIMIT + 5} markets answered {len(body['results'])} results, "
        f"count={body['count']}; the page is capped at MAX_LIMIT={MAX_LIMIT} — unbounded, one "
        f"request could pull the whole table — and count is still {MAX_LIMIT + 5} (task 1)"
    )
    next_params = params_of(body["next"] or "")
    assert next_params.get("limit") == str(MAX_LIMIT) and next_params.get("offset") == str(
        MAX_LIMIT
    ), (
        f"{call} answered next={body['next']!r}; the next link carries the capped limit="
        f"{MAX_LIMIT} and offset={MAX_LIMIT} (task 1)"
    )


def test_list_default_page_size(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, DEFAULT_LIMIT + 1)
    body = expect_status(client.get("/markets"), 200, "GET /markets", "the list (task 1)")
    assert len(body["results"]) == DEFAULT_LIMIT and body["next"] is not None, (
        f"GET /markets with {DEFAULT_LIMIT + 1} markets answered {len(body['results'])} "
        f"results and next={body['next']!r}; without limit a page holds DEFAULT_LIMIT="
        f"{DEFAULT_LIMIT} markets and links to the rest (task 1)"
    )
    expect_absolute_url(body["next"], "GET /markets", "next", task=1)


def test_following_next_visits_every_market_once(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, 7, status=Status.ACTIVE)
    store.create(MarketData(name="Draft", slug="draft-one"))
    url, seen, pages = "/markets?status=active&ordering=-id&limit=3", [], 0
    while url is not None and pages < 10:
        body = expect_status(client.get(url), 200, f"GET {url}", "following next (task 1)")
        assert body["count"] == 7, (
            f"GET {url} answered count={body['count']}; next links keep status=active, so "
            "every page counts the same 7 markets (task 1)"
        )
        seen += [m["id"] for m in body["results"]]
        url, pages = (path_of(body["next"]) if body["next"] else None), pages + 1
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 7, (
        f"following next from /markets?status=active&ordering=-id&limit=3 visited ids {seen} "
        f"in {pages} pages; expected the 7 active markets, newest first, each once, and next "
        "null on the last page (task 1)"
    )
    assert pages == 3, (
        f"following next from ?limit=3 over 7 markets took {pages} pages; expected 3, the "
        "last one with next=null (task 1)"
    )


def test_previous_links_back_to_the_page_before(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, 5)
    call = "GET /markets?limit=2&offset=2"
    body = expect_status(
        client.get("/markets", params={"limit": 2, "offset": 2}),
        200,
        call,
        "the second page (task 1)",
    )
    previous = params_of(body["previous"] or "")
    assert body["previous"] is not None and previous.get("offset", "0") == "0", (
        f"{call} answered previous={body['previous']!r}; expected a link to offset 0 (task 1)"
    )
    expect_absolute_url(body["previous"], call, "previous", task=1)
    assert [m["id"] for m in body["results"]] == [3, 4], (
        f"{call} answered ids {[m['id'] for m in body['results']]}; expected [3, 4]: offset "
        "skips 2 markets, limit takes 2 (task 1)"
    )


@pytest.mark.parametrize("name", ["limit", "offset"])
def test_list_rejects_a_number_of_thousands_of_digits_with_400(
    client: HttpClient, store: MarketStore, name: str
) -> None:
    add_markets(store, 2)
    call = f"GET /markets?{name}=999…9 (5000 digits)"
    error = expect_error(
        client.get("/markets", params={name: "9" * 5000}),
        400,
        "invalid_query",
        call,
        "no page starts or ends past 2**63 - 1 (what a database's bigint holds), and "
        "int() of more than 4300 digits raises ValueError: a 500 — check the length first "
        "(task 1)",
    )
    assert name in error["details"], (
        f"{call} answered details {error['details']}; details should name {name!r} (task 1)"
    )


def test_offset_1_skips_exactly_one_market(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, 3)
    call = "GET /markets?offset=1"
    body = expect_status(
        client.get("/markets", params={"offset": 1}), 200, call, "offset=1 is valid (task 1)"
    )
    ids = [m["id"] for m in body["results"]]
    assert ids == [2, 3] and body["count"] == 3, (
        f"{call} with markets 1-3 answered ids {ids}, count={body['count']}; expected [2, 3] "
        "and count 3: offset counts the markets skipped, from 0 (task 1)"
    )
    previous = params_of(body["previous"] or "")
    assert body["previous"] is not None and previous.get("offset", "0") == "0", (
        f"{call} answered previous={body['previous']!r}; one market comes before this page, "
        "so previous links to offset 0 (task 1)"
    )


def https_get(client: HttpClient, path: str) -> Reply:
    """GET `path` over https://testserver: the request's own scheme (no proxy header)."""
    if client.framework != "django":
        return client.get(f"https://testserver{path}")  # the test clients take a full URL
    from django.test import Client

    response = Client(raise_request_exception=False).get(path, secure=True)
    return Reply(response.status_code, response.content, dict(response.headers.items()))


def test_links_keep_the_scheme_of_the_request(client: HttpClient, store: MarketStore) -> None:
    add_markets(store, 5)
    call = "GET https://testserver/markets?limit=2&offset=2"
    body = expect_status(
        https_get(client, "/markets?limit=2&offset=2"), 200, call, "the second page (task 1)"
    )
    links = {"next": body["next"], "previous": body["previous"]}
    assert all(str(url).startswith("https://testserver/markets?") for url in links.values()), (
        f"{call} answered {links}; a link is the request's own absolute URL with limit/offset "
        "moved — scheme included: a page served over https links to https, never to a "
        "hard-coded http:// (build it from request.url / build_absolute_uri(), not from "
        "the host alone) (task 1)"
    )
