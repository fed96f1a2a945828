"""What the three HTTP adapters share: the order's rules, its JSON and the error envelope. Given.

Every error, in every framework and for every status, has one body:

    {"error": {"code": "validation_error", "message": "...", "details": {"amount": ["..."]}}}

`details` is always an object: for invalid input it maps each bad field (or the
`Idempotency-Key` header) to a list of messages; otherwise it is `{}`.
"""

from __future__ import annotations

import http
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from markets_orders.orders import (
    SIDES,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    MarketNotOpen,
    OrderError,
    OrderPlaced,
    Side,
)

IDEMPOTENCY_KEY = "Idempotency-Key"
MAX_KEY_LENGTH = 255
MAX_ID = 2**63 - 1  # the largest id a bigint column (SQLite, PostgreSQL) can hold
# Below 2**53 a float holds every whole number exactly: `30.0` (or `3e1`) is read as the id 30,
# as JSON Schema's `integer` reads it; a float past that can no longer tell two ids apart.
EXACT_FLOAT_LIMIT = 2**53
# Money is a decimal string: ASCII digits, at most 2 decimal places, at most 10 before the
# point (the balance column holds 12 digits). A JSON number is refused: floats are not money.
AMOUNT_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
FIELDS = ("user_id", "market_id", "side", "amount")
READ_ONLY = ("id", "position_id", "balance", "created_at", "updated_at")

STATUS: dict[type[OrderError], int] = {
    InvalidAmount: 400,
    InsufficientFunds: 409,
    MarketNotOpen: 409,
    # The IETF Idempotency-Key draft suggests 422; this workbook never answers 422: a key
    # already taken by another request is a conflict with the server's state.
    IdempotencyKeyReused: 409,
}

FieldErrors = dict[str, list[str]]


@dataclass(frozen=True)
class OrderRequest:
    """A valid `POST /orders` body, converted."""

    user_id: int
    market_id: int
    side: Side
    amount: Decimal


def valid_key(header: str | None) -> str | None:
    """The Idempotency-Key header's value when usable, else None (the adapter answers 400)."""
    key = (header or "").strip()
    return key if 0 < len(key) <= MAX_KEY_LENGTH else None


KEY_PROBLEM = f"send an {IDEMPOTENCY_KEY} header of 1 to {MAX_KEY_LENGTH} characters"
# `valid_key`'s rule as a pattern, for the OpenAPI schema: a character `str.strip()` keeps.
# A header value is Latin-1 (ASGI, WSGI), and these are the Latin-1 characters it strips.
KEY_PATTERN = r"[^\t-\r\x1c-\x20\x85\xa0]"


def whole_float_as_int(value: Any) -> Any:
    """A whole number sent as a float (`30.0`) as the int it names, when a float holds it exactly.

    JSON does not tell `30` from `30.0`; Python's decoder does. Anything else is returned
    unchanged, for the id check to accept or refuse.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_FLOAT_LIMIT:
        return int(value)
    return value


def parse_order(body: Any) -> tuple[OrderRequest | None, FieldErrors]:
    """The order in a decoded JSON body, or None and a message list per bad field.

    Strict: ids are whole JSON numbers (not strings, fractions or booleans; `30.0` below 2**53
    is 30) from 1 to 2**63 - 1, `side` is "yes" or "no", `amount` a decimal string; unknown and
    read-only fields are refused by name rather than silently dropped.
    """
    if not isinstance(body, dict):
        return None, {"body": ["send one JSON object"]}
    problems: FieldErrors = {}
    for name in body:
        if name in READ_ONLY:
            problems[name] = ["read-only: the server sets it"]
        elif name not in FIELDS:
            problems[name] = ["unknown field"]
    ids = {name: whole_float_as_int(body.get(name)) for name in ("user_id", "market_id")}
    for name, value in ids.items():
        if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID):
            problems[name] = [f"a JSON integer from 1 to {MAX_ID} is required"]
    if body.get("side") not in SIDES:
        problems["side"] = [f"one of {', '.join(SIDES)}"]
    amount = body.get("amount")
    if not (isinstance(amount, str) and re.fullmatch(AMOUNT_PATTERN, amount)):
        problems["amount"] = ['a decimal string such as "30.00", at most 2 decimal places']
    if problems:
        return None, problems
    order = OrderRequest(ids["user_id"], ids["market_id"], body["side"], Decimal(amount))
    return order, {}


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def invalid(details: Mapping[str, list[str]]) -> dict[str, Any]:
    return error_body("validation_error", "the order is invalid", details)


def invalid_json(reason: str = "the body is not valid JSON") -> dict[str, Any]:
    return error_body("invalid_json", reason, {"body": [reason]})


def refusal(exc: OrderError) -> tuple[int, dict[str, Any]]:
    """A refused order as (status, error envelope): a stable code, never a stack trace."""
    details = {"amount": [str(exc)]} if isinstance(exc, InvalidAmount) else {}
    return STATUS.get(type(exc), 409), error_body(exc.code, str(exc), details)


def for_status(status: int, message: str | None = None) -> dict[str, Any]:
    """The envelope for an error the framework raised itself (404, 405, 415, 500…)."""
    phrase = http.HTTPStatus(status).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    return error_body(code, message or phrase)


NOT_FOUND = error_body("not_found", "no such user or market")
SERVER_ERROR = for_status(500, "the server could not answer; nothing about why is shown")


def order_json(placed: OrderPlaced) -> dict[str, Any]:
    return {
        "position_id": placed.position_id,
        "user_id": placed.user_id,
        "market_id": placed.market_id,
        "side": placed.side,
        "amount": str(placed.amount),
        "balance": str(placed.balance),
    }
