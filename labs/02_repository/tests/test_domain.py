"""The helpers every adapter shares: the ordering allow-list and the window check."""

from __future__ import annotations

import pytest

from markets_repository.domain import ORDERINGS, check_window, parse_ordering


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
