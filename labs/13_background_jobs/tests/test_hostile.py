"""Every route, in every framework, against the workbook's hostile-input battery (task 3)."""

from __future__ import annotations

import pytest
from conftest import Api

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route

ROUTES = [
    Route("POST", "/markets", task=3, body={"name": "Rain in Lisbon", "slug": "rain-lisbon"}),
    Route("GET", "/markets/{id}", task=3),
]


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(api: Api, route: Route) -> None:
    market_id = api.insert("Snow in Oslo", "snow-oslo")
    hostile.assert_survives(api.client, route, ids={"id": market_id})


@pytest.mark.task(3)
def test_unserved_methods_are_405_with_a_complete_allow(api: Api) -> None:
    market_id = api.insert("Snow in Oslo", "snow-oslo")
    hostile.assert_methods_refused(api.client, ROUTES, ids={"id": market_id})
