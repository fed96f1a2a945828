"""The helpers every adapter shares: the ordering allow-list and the window check."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest

from markets_repository.domain import ORDERINGS, NewMarket, check_window, parse_ordering
from markets_repository.memory import InMemoryMarketRepository


@pytest.mark.core
@pytest.mark.task(3)
@pytest.mark.parametrize(
    ("order_by", "expected"),
    [("id", ("id", False)), ("-volume", ("volume", True)), ("created_at", ("created_at", False))],
)
def test_parse_ordering_splits_field_and_direction(order_by: str, expected: tuple) -> None:
    got = parse_ordering(order_by)
    assert got == expected, (
        f"parse_ordering({order_by!r}) returned {got!r}; expected {expected!r}: the field, "
        "then True when a leading '-' asks for descending (task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
@pytest.mark.parametrize("order_by", ["slug", "--volume", "Volume", "", "id;drop table market"])
def test_parse_ordering_rejects_anything_outside_the_allow_list(order_by: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_ordering(order_by)
    missing = [o for o in ORDERINGS if o not in str(raised.value)]
    assert not missing, (
        f"parse_ordering({order_by!r}) raised ValueError({raised.value}); the message should "
        f"list every accepted ordering so the caller can fix the request — missing {missing} "
        "(task 3)"
    )


@pytest.mark.core
@pytest.mark.task(3)
def test_check_window_accepts_zero_and_none_and_rejects_negatives() -> None:
    check_window(None, 0)
    check_window(0, 0)
    for limit, offset in ((-1, 0), (10, -1)):
        try:
            check_window(limit, offset)
        except ValueError:
            continue
        pytest.fail(
            f"check_window({limit}, {offset}) returned instead of raising ValueError; a "
            "negative limit or offset is a caller's mistake (task 3)"
        )


@pytest.mark.core
@pytest.mark.task(4)
def test_a_new_market_is_a_frozen_value() -> None:
    new = NewMarket(name="Rain", slug="rain", creator="alice")
    with pytest.raises(FrozenInstanceError):
        new.slug = "changed"  # type: ignore[misc]


@pytest.mark.core
@pytest.mark.task(4)
def test_without_a_clock_add_stamps_the_current_utc_time() -> None:
    before = datetime.now(UTC)
    added = InMemoryMarketRepository().add(NewMarket(name="Rain", slug="rain", creator="alice"))
    after = datetime.now(UTC)
    assert before <= added.created_at <= after and added.created_at.tzinfo is not None, (
        f"InMemoryMarketRepository() (default clock) added a market with created_at "
        f"{added.created_at!r}; expected an aware UTC time between {before} and {after}: the "
        "default clock is domain.utc_now (task 4)"
    )
