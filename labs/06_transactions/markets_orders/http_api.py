"""What the three HTTP adapters share: the JSON of an order and of an error. Given."""

from __future__ import annotations

from typing import Any

from markets_orders.orders import (
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    MarketNotOpen,
    OrderError,
    OrderPlaced,
)

IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_KEY_LENGTH = 255
STATUS: dict[type[OrderError], int] = {
    InvalidAmount: 422,
    InsufficientFunds: 409,
    MarketNotOpen: 409,
    IdempotencyKeyReused: 422,  # the IETF Idempotency-Key draft's answer to a reused key
}


def valid_key(header: str | None) -> str | None:
    """The Idempotency-Key header's value when usable, else None (the adapter answers 400)."""
    key = (header or "").strip()
    return key if 0 < len(key) <= MAX_KEY_LENGTH else None


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def refusal(exc: OrderError) -> tuple[int, dict[str, Any]]:
    """A refused order as (status, error envelope): a stable code, never a stack trace."""
    return STATUS.get(type(exc), 409), error_body(exc.code, str(exc))


MISSING_KEY = error_body(
    "idempotency_key_required", f"send an {IDEMPOTENCY_KEY} header of 1 to 255 characters"
)
NOT_FOUND = error_body("not_found", "no such user or market")


def order_json(placed: OrderPlaced) -> dict[str, Any]:
    return {
        "position_id": placed.position_id,
        "user_id": placed.user_id,
        "market_id": placed.market_id,
        "side": placed.side,
        "amount": str(placed.amount),
        "balance": str(placed.balance),
    }
