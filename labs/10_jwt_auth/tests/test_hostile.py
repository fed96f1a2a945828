"""Every route, in every framework, against the workbook's hostile-input battery."""

from __future__ import annotations

import forge
import pytest

from markets_jwt.auth import grant
from markets_jwt.config import JwtConfig
from markets_jwt.store import Services, User
from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import HttpClient

LOGIN = {"username": "ada", "password": "correct horse battery staple"}
TOKEN = "{token}"  # replaced by a valid access token for ada in each test
REFRESH = "{refresh}"  # and by an unused refresh token of hers

ROUTES = [
    Route("POST", "/auth/token", task=4, body=LOGIN),
    Route("POST", "/auth/refresh", task=6, body={"refresh_token": REFRESH}),
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


def _with_tokens(route: Route, token: str, refresh_token: str) -> Route:
    headers = {k: v.replace(TOKEN, f"Bearer {token}") for k, v in route.headers.items()}
    body = None if route.body is None else {
        k: refresh_token if v == REFRESH else v for k, v in route.body.items()
    }  # fmt: skip
    return Route(route.method, route.path, route.task, body, route.query, headers,
                 route.read_only, route.money, route.nullable)  # fmt: skip


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(
    client: HttpClient, route: Route, ada: User, services: Services, jwt_config: JwtConfig
) -> None:
    market = services.markets.create("Rain in Lisbon", creator=ada)
    token = forge.valid(jwt_config, ada.subject)
    refresh_token = grant(services, ada).refresh_token
    route = _with_tokens(route, token, refresh_token)
    hostile.assert_survives(client, route, ids={"id": market.id})


@pytest.mark.task(5)
def test_unserved_methods_are_405_with_a_complete_allow(client: HttpClient, ada: User) -> None:
    hostile.assert_methods_refused(client, ROUTES, ids={"id": 1})
