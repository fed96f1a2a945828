"""Every route, in every framework, against the workbook's hostile-input battery."""

from __future__ import annotations

import forge
import pytest

from markets_jwt.config import JwtConfig
from markets_jwt.store import Services, User
from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import HttpClient

LOGIN = {"username": "ada", "password": "correct horse battery staple"}
TOKEN = "{token}"  # replaced by a valid token for ada in each test

ROUTES = [
    Route("POST", "/auth/token", task=4, body=LOGIN),
    Route("GET", "/markets", task=5, headers={"Authorization": TOKEN}),
    Route(
        "POST",
        "/markets",
        task=5,
        body={"name": "Rain"},
        headers={"Authorization": TOKEN},
        read_only=("id", "creator"),
    ),
    Route("GET", "/markets/{id}", task=5, headers={"Authorization": TOKEN}),
]


def _with_token(route: Route, token: str) -> Route:
    headers = {k: v.replace(TOKEN, f"Bearer {token}") for k, v in route.headers.items()}
    return Route(route.method, route.path, route.task, route.body, route.query, headers,
                 route.read_only, route.money, route.nullable)  # fmt: skip


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(
    client: HttpClient, route: Route, ada: User, services: Services, jwt_config: JwtConfig
) -> None:
    market = services.markets.create("Rain in Lisbon", creator=ada)
    token = forge.valid(jwt_config, ada.subject)
    hostile.assert_survives(client, _with_token(route, token), ids={"id": market.id})


@pytest.mark.task(5)
def test_unserved_methods_are_405_with_a_complete_allow(client: HttpClient, ada: User) -> None:
    hostile.assert_methods_refused(client, ROUTES, ids={"id": 1})
