from decimal import Decimal

import pytest
from toy_odds.odds import implied_probability, percent


@pytest.mark.core
@pytest.mark.task(1)
def test_probability_is_rounded() -> None:
    got = implied_probability(Decimal(3))
    assert got == Decimal("0.3333"), f"got {got}; expected 4 decimal places (task 1)"


@pytest.mark.core
@pytest.mark.task(2)
def test_percent() -> None:
    assert percent(Decimal("0.25")) == "25.00%", "expected 25.00% (task 2)"
