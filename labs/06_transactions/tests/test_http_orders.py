"""Lab 06 over HTTP: POST /orders with an Idempotency-Key, in Django, FastAPI and Flask.

The adapters are given; these tests check that a retried request reaches `place_order_once`
(task 5) and is answered from the stored key in every framework.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

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
        pytest.param("django", marks=pytest.mark.django),
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ]
)
def api(request: pytest.FixtureRequest, as_client) -> tuple[HttpClient, dict, Balance]:
    """(client, a valid order body for alice with 100.00, a function reading her balance)."""
    if request.param == "django":
        return django_api(request, as_client)
    return sqlalchemy_api(request, as_client, request.param)


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
def test_key_reused_for_another_order_answers_422_and_missing_key_400(api) -> None:
    client, order, balance = api
    missing = client.post("/orders", json=order)
    client.post("/orders", json=order, headers={"Idempotency-Key": "req-7f3a"})
    reused = client.post(
        "/orders", json={**order, "amount": "40.00"}, headers={"Idempotency-Key": "req-7f3a"}
    )
    assert missing.status == 400, f"POST /orders without a key answered {missing.status} (task 5)"
    code = reused.json().get("error", {}).get("code") if reused.status == 422 else None
    assert code == "idempotency_key_reused" and balance() == Decimal("70.00"), (
        f"the key reused with another amount answered {reused.status} {reused.text[:300]} and "
        f"left the balance at {balance()}; expected 422 with error code "
        "'idempotency_key_reused' and only the first debit, 70.00 (task 5)"
    )
