"""What the Django and SQLAlchemy services share: the result of an order and its errors. Given."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Side = Literal["yes", "no"]
SIDES: tuple[Side, ...] = ("yes", "no")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OrderPlaced:
    """A placed order: the position it opened and the buyer's balance right after the debit."""

    position_id: int
    user_id: int
    market_id: int
    side: Side
    amount: Decimal
    balance: Decimal


Notify = Callable[[OrderPlaced], None]
"""A side effect of a placed order (an e-mail, a job on a queue): it must see committed data."""


class OrderError(Exception):
    """A refused order. `code` is stable (clients branch on it); the text is for people."""

    code = "order_refused"


class InvalidAmount(OrderError):
    code = "invalid_amount"


class InsufficientFunds(OrderError):
    code = "insufficient_funds"


class MarketNotOpen(OrderError):
    code = "market_not_open"


class IdempotencyKeyReused(OrderError):
    code = "idempotency_key_reused"


def money(amount: Decimal) -> Decimal:
    """`amount` to the cent, or InvalidAmount: an order must move a positive sum of money."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidAmount(f"an order amount must be a positive number of cents, not {amount}")
    return amount.quantize(CENT)


def request_fingerprint(*, market_id: int, side: Side, amount: Decimal) -> str:
    """A digest of what a request asked for, stored beside its idempotency key.

    A retry carries the same key *and* the same fingerprint; the same key with another
    fingerprint is a client bug (or an attack) and must not replay the first answer.
    """
    canonical = json.dumps(
        {"market_id": market_id, "side": side, "amount": str(money(amount))}, sort_keys=True
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
