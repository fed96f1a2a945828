"""Every route, in every framework, against the workbook's hostile-input battery.

`patterns_workbook.testing.hostile` sends each route the requests a careless or malicious
client sends — a JSON body declared as text/plain, a list instead of an object, read-only
fields, money as a JSON number, ids and query numbers no row can have — and fails if any
answer is a 5xx, a status the contract does not name, or an error outside the envelope.
"""

from __future__ import annotations

import pytest

from markets_rest.domain import Market, MarketData
from markets_rest.store import MarketStore
from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import HttpClient

MARKET = {"name": "Rain in Lisbon", "slug": "rain-lisbon", "status": "active", "volume": "12.50"}
LIST_QUERY = {"status": "active", "ordering": "-volume", "limit": "2", "offset": "1"}

ROUTES = [
    Route("GET", "/markets", task=1, query=LIST_QUERY),
    Route("GET", "/markets/{id}", task=2),
    Route("POST", "/markets", task=3, body=MARKET, money=("volume",)),
    Route("PUT", "/markets/{id}", task=4, body=MARKET, money=("volume",)),
    Route("PATCH", "/markets/{id}", task=4, body=MARKET, money=("volume",)),
    Route("DELETE", "/markets/{id}", task=5),
]


@pytest.fixture
def market(store: MarketStore) -> Market:
    return store.create(MarketData(name="Snow in Oslo", slug="snow-oslo"))


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(
    client: HttpClient, route: Route, market: Market
) -> None:
    hostile.assert_survives(client, route, ids={"id": market.id})


@pytest.mark.task(5)
def test_unserved_methods_are_405_with_a_complete_allow(client: HttpClient, market: Market) -> None:
    hostile.assert_methods_refused(client, ROUTES, ids={"id": market.id})
