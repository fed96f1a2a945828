"""Tasks 2, 4 and 6 over HTTP: GET and PATCH /markets/{id}, in Django, FastAPI and Flask.

The apps are given; they read and write through your CachedMarketRepository. Every route also
runs the workbook's hostile-input battery (`patterns_workbook.testing.hostile`).
"""

from __future__ import annotations

import pytest
from conftest import BrokenRedis

from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route
from patterns_workbook.testing.http import Reply

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
ROUTES = [
    Route("GET", "/markets/{id}", task=2),
    Route(
        "PATCH",
        "/markets/{id}",
        task=4,
        body={"name": "Rain in Porto", "status": "active", "volume": "12.50"},
        read_only=("id", "slug", "created_at", "updated_at"),
        money=("volume",),
    ),
]


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Each test here runs once per framework: `-m django`, `-m fastapi`, `-m flask`."""
    return request.param


def show(reply: Reply) -> str:
    return f"{reply.status} {reply.text[:160]}"


@pytest.mark.task(2)
def test_get_twice_reaches_the_repository_once(framework, serve, make_cache, inner, market):
    client = serve(make_cache())
    replies = [client.get(f"/markets/{market.id}") for _ in range(2)]
    assert [r.status for r in replies] == [200, 200], (
        f"[{framework}] GET /markets/{market.id} twice answered "
        f"{[show(r) for r in replies]} (task 2)"
    )
    assert replies[1].json()["volume"] == "0.10" and inner.calls["get"] == 1, (
        f"[{framework}] the second GET answered {show(replies[1])} after "
        f"{inner.calls['get']} repository reads; expected volume '0.10' and 1 read (task 2)"
    )


@pytest.mark.task(3)
def test_get_of_a_missing_id_is_404_in_the_envelope(framework, serve, make_cache, inner):
    client = serve(make_cache())
    replies = [client.get("/markets/404") for _ in range(3)]
    problems = [hostile.envelope_problem(r) for r in replies]
    assert [r.status for r in replies] == [404] * 3 and problems == [None] * 3, (
        f"[{framework}] GET /markets/404 three times answered {[show(r) for r in replies]}; "
        "expected 404 in the envelope each time (task 3)"
    )
    assert inner.calls["get"] == 1, (
        f"[{framework}] three GET /markets/404 made {inner.calls['get']} repository reads; "
        "expected 1 (negative caching) (task 3)"
    )


@pytest.mark.task(4)
def test_patch_then_get_serves_the_new_market(framework, serve, make_cache, market):
    client = serve(make_cache())
    client.get(f"/markets/{market.id}")  # now cached
    patched = client.patch(f"/markets/{market.id}", json={"name": "Rain in Faro"})
    got = client.get(f"/markets/{market.id}")
    assert patched.status == 200 and got.status == 200, (
        f"[{framework}] PATCH answered {show(patched)}, then GET {show(got)} (task 4)"
    )
    assert got.json()["name"] == "Rain in Faro", (
        f"[{framework}] after PATCH name='Rain in Faro' answered 200, GET /markets/"
        f"{market.id} served {show(got)}: a stale read — the update must invalidate (task 4)"
    )


@pytest.mark.task(4)
def test_patch_of_a_missing_id_is_404(framework, serve, make_cache):
    reply = serve(make_cache()).patch("/markets/404", json={"name": "X"})
    assert reply.status == 404 and hostile.envelope_problem(reply) is None, (
        f"[{framework}] PATCH /markets/404 answered {show(reply)}; expected a 404 in the "
        "envelope (task 4)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_redis_down_is_never_a_500(framework, serve, make_cache, market, method):
    client = serve(make_cache(client=BrokenRedis()))
    body = {"volume": "3.30"} if method == "PATCH" else None
    reply = client.request(method, f"/markets/{market.id}", json=body)
    assert reply.status == 200, (
        f"[{framework}] with Redis down, {method} /markets/{market.id} answered "
        f"{show(reply)}; expected 200 from the repository: a dead cache is slower, never an "
        "error (task 6)"
    )
    missing = client.get("/markets/404")
    assert missing.status == 404, (
        f"[{framework}] with Redis down, GET /markets/404 answered {show(missing)}; "
        "expected 404 (task 6)"
    )


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(framework, serve, make_cache, market, route):
    hostile.assert_survives(serve(make_cache()), route, ids={"id": market.id})


@pytest.mark.task(4)
def test_unserved_methods_are_405_with_a_complete_allow(framework, serve, make_cache, market):
    hostile.assert_methods_refused(serve(make_cache()), ROUTES, ids={"id": market.id})
