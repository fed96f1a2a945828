"""Every route, in every framework, survives the hostile-input battery (as an admin, so each
probe reaches the body and path checks), and refuses unserved methods with 405 + Allow."""

from __future__ import annotations

import pytest

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route

ROUTES = [
    Route("GET", "/markets", task=2),
    Route("POST", "/markets", task=2, body={"name": "Hail", "slug": "hail"}),
    Route("GET", "/markets/{market_id}", task=2),
    Route("PATCH", "/markets/{market_id}", task=3, body={"name": "Snow"}),
    Route("DELETE", "/markets/{market_id}", task=2),
    Route("POST", "/markets/{market_id}/resolve", task=2, body={"outcome": "yes"}),
    Route("PUT", "/users/{user_id}/role", task=2, body={"role": "viewer"}),
]


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(client, world, route):
    admin = {"Authorization": f"Bearer {world.token('ada')}"}
    authed = Route(
        route.method, route.path, route.task, route.body, route.query, admin, route.read_only
    )
    ids = {"market_id": world.markets["carl_active"].id, "user_id": world.users["vera"].id}
    hostile.assert_survives(client, authed, ids=ids)


@pytest.mark.task(2)
def test_unserved_methods_are_405_with_allow(client, world):
    ids = {"market_id": world.markets["carl_active"].id, "user_id": world.users["vera"].id}
    hostile.assert_methods_refused(client, ROUTES, ids=ids)
