from decimal import Decimal


def implied_probability(odds: Decimal) -> Decimal:
    raise NotImplementedError("TODO(task 1): return 1 / odds — see README task 1")


def percent(probability: Decimal) -> str:
    raise NotImplementedError("TODO(task 2): format as a percentage — see README task 2")
