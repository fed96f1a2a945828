from decimal import ROUND_HALF_EVEN, Decimal


def implied_probability(odds: Decimal) -> Decimal:
    return (Decimal(1) / odds).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


def percent(probability: Decimal) -> str:
    return f"{probability * 100:.2f}%"
