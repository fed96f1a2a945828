from decimal import Decimal


def implied_probability(odds: Decimal) -> Decimal:
    return Decimal(1) / odds


def percent(probability: Decimal) -> str:
    return f"{probability * 100:.2f}%"
