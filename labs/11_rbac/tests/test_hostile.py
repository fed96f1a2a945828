"""Every route, in every framework, survives the hostile-input battery (as an admin, so each
probe reaches the body and path checks), and refuses unserved methods with 405 + Allow."""

from __future__ import annotations

import pytest

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route, envelope_problem

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


@pytest.mark.task(2)
def test_an_unknown_url_is_a_404_in_the_envelope(client, world):
    r = client.get("/no-such-route", headers={"Authorization": f"Bearer {world.token('ada')}"})
    problem = envelope_problem(r)
    ok = (
        problem is None
        and r.json()["error"]["code"] == "not_found"
        and r.json()["error"]["message"]
    )
    assert r.status == 404 and ok, (
        f"[{client.framework}] GET /no-such-route answered {r.status} {r.text[:200]}; expected "
        f"a 404 in the error envelope, code 'not_found', with a message ({problem}) (task 2)"
    )


@pytest.mark.task(2)
def test_allow_lists_exactly_the_methods_a_path_serves(client, world):
    served: dict[str, set[str]] = {}
    for route in ROUTES:
        served.setdefault(route.path, set()).add(route.method)
    ids = {"market_id": world.markets["carl_active"].id, "user_id": world.users["vera"].id}
    for template, methods in served.items():
        unserved = sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - methods)[0]
        r = client.request(unserved, template.format(**ids))
        allow = {m.strip() for m in (r.header("allow") or "").split(",")} - {"HEAD", "OPTIONS"}
        assert allow == methods, (
            f"[{client.framework}] {unserved} {template} answered {r.status} with Allow: "
            f"{r.header('allow')!r}; Allow lists exactly the methods the path serves, "
            f"{sorted(methods)} (plus HEAD/OPTIONS), no others (task 2)"
        )
