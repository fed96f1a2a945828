"""Task 2 — the lifecycle: draft → active → closed → resolved, nothing else."""

from __future__ import annotations

import itertools

import pytest
from expect import raises

from markets_service.domain import InvalidTransition, Market, NotFound, Status
from markets_service.repository import InMemoryMarketRepository, MarketRepository
from markets_service.service import MarketService

FORWARD = [
    (Status.DRAFT, Status.ACTIVE),
    (Status.ACTIVE, Status.CLOSED),
    (Status.CLOSED, Status.RESOLVED),
]
ILLEGAL = [pair for pair in itertools.product(Status, Status) if pair not in FORWARD]


def market_in(repository: MarketRepository, status: Status) -> Market:
    return repository.add(Market(name="Rain in Paris", slug="rain-in-paris", status=status))


@pytest.mark.core
@pytest.mark.task(2)
def test_forward_transitions_walk_the_whole_lifecycle(
    service: MarketService, repository: InMemoryMarketRepository
) -> None:
    market = market_in(repository, Status.DRAFT)
    for source, target in FORWARD:
        moved = service.transition(market.id, target)
        stored = repository.get(market.id)
        assert (moved.status, stored and stored.status) == (target, target), (
            f"transition({market.id}, {target!r}) from {source!r} returned status "
            f"{moved.status!r} and left {stored and stored.status!r} in the repository; "
            f"the move is legal, so both must be {target!r} — save() the market (task 2)"
        )


@pytest.mark.core
@pytest.mark.task(2)
@pytest.mark.parametrize(("source", "target"), ILLEGAL, ids=lambda s: str(s))
def test_illegal_transition_raises_invalid_transition(
    service: MarketService, repository: InMemoryMarketRepository, source: Status, target: Status
) -> None:
    market = market_in(repository, source)
    why = (
        f"transition from {source} to {target} must raise InvalidTransition: only "
        "draft→active, active→closed and closed→resolved are allowed (task 2)"
    )
    with raises(InvalidTransition, why) as caught:
        service.transition(market.id, target)
    details = caught.value.details if caught.value else {}
    assert details == {"from": str(source), "to": str(target)}, (
        f"InvalidTransition details were {details!r}; they name both ends: "
        f"{{'from': {str(source)!r}, 'to': {str(target)!r}}} (task 2)"
    )
    stored = repository.get(market.id)
    assert stored is not None and stored.status == source, (
        f"after a refused {source}→{target} the stored status is {stored and stored.status!r}; "
        "a refused transition changes nothing (task 2)"
    )


@pytest.mark.core
@pytest.mark.task(2)
@pytest.mark.parametrize("source", [Status.DRAFT, Status.ACTIVE])
def test_resolve_requires_a_closed_market(
    service: MarketService, repository: InMemoryMarketRepository, source: Status
) -> None:
    market = market_in(repository, source)
    with raises(InvalidTransition, f"resolving a {source} market: close it first (task 2)"):
        service.transition(market.id, Status.RESOLVED)


@pytest.mark.core
@pytest.mark.task(2)
def test_transition_of_unknown_market_raises_not_found(service: MarketService) -> None:
    with raises(NotFound, "transition(404, 'active') on an empty repository (task 2)"):
        service.transition(404, Status.ACTIVE)


@pytest.mark.sqlalchemy
@pytest.mark.task(2)
def test_transition_over_sqlalchemy_is_persisted(sqlalchemy_repository: MarketRepository) -> None:
    service = MarketService(sqlalchemy_repository)
    market = market_in(sqlalchemy_repository, Status.DRAFT)
    service.transition(market.id, Status.ACTIVE)
    stored = sqlalchemy_repository.get(market.id)
    assert stored is not None and stored.status == Status.ACTIVE, (
        f"after transition to active the SQLAlchemy row says {stored and stored.status!r}; "
        "the service must save() the market (task 2)"
    )
    with raises(InvalidTransition, "active → draft over SQLAlchemy (task 2)"):
        service.transition(market.id, Status.DRAFT)


@pytest.mark.django
@pytest.mark.task(2)
def test_transition_over_django_orm_is_persisted(django_repository: MarketRepository) -> None:
    service = MarketService(django_repository)
    market = market_in(django_repository, Status.DRAFT)
    service.transition(market.id, Status.ACTIVE)
    stored = django_repository.get(market.id)
    assert stored is not None and stored.status == Status.ACTIVE, (
        f"after transition to active the Django row says {stored and stored.status!r}; "
        "the service must save() the market (task 2)"
    )
    with raises(InvalidTransition, "active → draft over the Django ORM (task 2)"):
        service.transition(market.id, Status.DRAFT)
