"""Lab 06 over HTTP: POST /orders with an Idempotency-Key, in Django, FastAPI and Flask.

The adapters are given; these tests check that a retried request reaches `place_order_once`
(task 5) and is answered from the stored key in every framework, and that the route keeps the
workbook's HTTP contract (the hostile-input battery, 405s, the error envelope, no 422).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from patterns_workbook.testing import hostile
from patterns_workbook.testing.http import HttpClient

Balance = Callable[[], Decimal]


def django_api(request: pytest.FixtureRequest, as_client) -> tuple[HttpClient, dict, Balance]:
    request.getfixturevalue("transactional_db")
    from markets_orders.django_orm.models import Market, User

    alice = User.objects.create(username="alice", balance=Decimal("100.00"))
    market = Market.objects.create(name="Rain", slug="rain", status="active", creator=alice)
    order = {"user_id": alice.pk, "market_id": market.pk, "side": "yes", "amount": "30.00"}
    return as_client("django"), order, lambda: User.objects.get(pk=alice.pk).balance


def sqlalchemy_api(
    request: pytest.FixtureRequest, as_client, framework: str
) -> tuple[HttpClient, dict, Balance]:
    from markets_orders.sqlalchemy_orm.models import Market, User

    sessions: sessionmaker[Session] = request.getfixturevalue("sessions")
    with sessions.begin() as session:
        alice = User(username="alice", balance=Decimal("100.00"))
        session.add(alice)
        session.flush()
        market = Market(name="Rain", slug="rain", status="active", creator_id=alice.id)
        session.add(market)
        session.flush()
        order = {"user_id": alice.id, "market_id": market.id, "side": "yes", "amount": "30.00"}
    if framework == "fastapi":
        from markets_orders.fastapi_app import create_app
    else:
        from markets_orders.flask_app import create_app

    def balance() -> Decimal:
        with sessions() as s:
            return s.scalars(select(User.balance).where(User.id == order["user_id"])).one()

    return as_client(create_app(sessions)), order, balance


@pytest.fixture(
    params=[
        pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db(transaction=True)]),
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ]
)
def api(request: pytest.FixtureRequest, as_client) -> tuple[HttpClient, dict, Balance]:
    """(client, a valid order body for alice with 100.00, a function reading her balance)."""
    if request.param == "django":
        return django_api(request, as_client)
    return sqlalchemy_api(request, as_client, request.param)


ROUTES = [
    hostile.Route(
        "POST",
        "/orders",
        task=5,
        body={"user_id": 1, "market_id": 1, "side": "yes", "amount": "30.00"},  # see below
        headers={"Idempotency-Key": "probe-{n}"},
        read_only=("id", "position_id", "balance", "created_at", "updated_at"),
        money=("amount",),
    )
]


@pytest.mark.task(5)
def test_retried_post_returns_the_first_order_and_debits_once(api) -> None:
    client, order, balance = api
    headers = {"Idempotency-Key": "req-7f3a"}
    first = client.post("/orders", json=order, headers=headers)
    retry = client.post("/orders", json=order, headers=headers)
    assert first.status == 201 and retry.status == 201, (
        f"POST /orders answered {first.status} then {retry.status} for the same key: "
        f"{first.text[:300]} / {retry.text[:300]}; expected 201 twice (task 5)"
    )
    assert retry.json() == first.json() and balance() == Decimal("70.00"), (
        f"the retry answered {retry.json()} (first: {first.json()}) and the balance is "
        f"{balance()}; expected the first answer again and one debit, 70.00 (task 5)"
    )


@pytest.mark.task(5)
def test_key_reused_for_another_order_answers_409_and_missing_key_400(api) -> None:
    client, order, balance = api
    missing = client.post("/orders", json=order)
    client.post("/orders", json=order, headers={"Idempotency-Key": "req-7f3a"})
    reused = client.post(
        "/orders", json={**order, "amount": "40.00"}, headers={"Idempotency-Key": "req-7f3a"}
    )
    details = missing.json().get("error", {}).get("details", {}) if missing.status == 400 else {}
    assert "Idempotency-Key" in details, (
        f"POST /orders without an Idempotency-Key answered {missing.status} "
        f"{missing.text[:300]}; expected 400 naming 'Idempotency-Key' in error.details (task 5)"
    )
    code = reused.json().get("error", {}).get("code") if reused.status == 409 else None
    assert code == "idempotency_key_reused" and balance() == Decimal("70.00"), (
        f"the key reused with another amount answered {reused.status} {reused.text[:300]} and "
        f"left the balance at {balance()}; expected 409 (a conflict with the stored key; this "
        "workbook never answers 422) with error code 'idempotency_key_reused' and only the "
        "first debit, 70.00 (task 5)"
    )


@pytest.mark.task(5)
def test_refused_orders_answer_409_or_400_in_the_envelope(api) -> None:
    client, order, balance = api
    too_much = client.post(
        "/orders", json={**order, "amount": "150.00"}, headers={"Idempotency-Key": "k-1"}
    )
    zero = client.post(
        "/orders", json={**order, "amount": "0.00"}, headers={"Idempotency-Key": "k-2"}
    )
    got = [(r.status, hostile.envelope_problem(r)) for r in (too_much, zero)]
    assert got == [(409, None), (400, None)] and balance() == Decimal("100.00"), (
        f"an order beyond the balance and an order of 0.00 answered {too_much.status} "
        f"{too_much.text[:200]} / {zero.status} {zero.text[:200]}; expected 409 (insufficient "
        "funds) and 400 (an invalid amount), both in the error envelope, balance untouched "
        "(task 5)"
    )


@pytest.mark.task(5)
def test_ids_too_large_for_the_database_are_refused_not_a_crash(api) -> None:
    client, order, _ = api
    replies = {
        name: client.post(
            "/orders", json={**order, name: 2**63}, headers={"Idempotency-Key": f"big-{name}"}
        )
        for name in ("user_id", "market_id")
    }
    wrong = {
        name: f"{r.status} {r.text[:200]}"
        for name, r in replies.items()
        if r.status != 400 or name not in r.json().get("error", {}).get("details", {})
    }
    assert not wrong, (
        f"POST /orders with an id of 2**63 answered {wrong}; expected 400 naming the field: "
        "2**63 overflows a bigint column (OverflowError in the driver), so it can name no row "
        "(task 5)"
    )


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(api, route: hostile.Route) -> None:
    client, order, _ = api
    hostile.assert_survives(client, replace(route, body=order))


@pytest.mark.task(5)
def test_unserved_methods_answer_405_with_allow(api) -> None:
    client, _, _ = api
    hostile.assert_methods_refused(client, ROUTES)


@pytest.mark.task(5)
@pytest.mark.fastapi
def test_openapi_tells_the_truth(sessions) -> None:
    from markets_orders.fastapi_app import create_app

    operation = create_app(sessions).openapi()["paths"]["/orders"]["post"]
    statuses = set(operation["responses"])
    header = next(p for p in operation["parameters"] if p["name"] == "Idempotency-Key")
    envelope = operation["responses"].get("409", {}).get("content", {})
    assert {"201", "400", "404", "409", "415"} <= statuses and "422" not in statuses, (
        f"the OpenAPI schema of POST /orders lists responses {sorted(statuses)}; expected "
        "201, 400, 404, 409 and 415 (in the error envelope) and no 422, which is never sent"
    )
    assert header["required"] and envelope, (
        f"the OpenAPI schema declares the Idempotency-Key header as {header} and the 409 as "
        f"{envelope}; the header is required (a request without it is a 400) and every error "
        "has the envelope's schema"
    )


@pytest.mark.task(5)
def test_an_id_sent_as_a_whole_float_is_that_id_below_2_53(api) -> None:
    client, order, _ = api
    unknown = float(order["market_id"] + 1)
    as_float = client.post(
        "/orders", json={**order, "market_id": unknown}, headers={"Idempotency-Key": "k-1"}
    )
    inexact = client.post(
        "/orders", json={**order, "market_id": 2.0**53}, headers={"Idempotency-Key": "k-2"}
    )
    details = inexact.json().get("error", {}).get("details", {}) if inexact.status == 400 else {}
    assert as_float.status == 404 and "market_id" in details, (
        f"market_id sent as {unknown} (no such market) answered {as_float.status} "
        f"{as_float.text[:200]}, and as 2.0**53 {inexact.status} {inexact.text[:200]}; expected "
        "404 for the first (JSON, and the OpenAPI schema's `integer`, do not tell 7 from 7.0: "
        "it is an id, and no market has it) and 400 naming 'market_id' for the second (past "
        "2**53 a float no longer tells two ids apart)"
    )
