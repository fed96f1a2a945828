"""The small Markets API every framework serves, and its error envelope. Given code.

Three routes, so the limiter has reads and a write to guard:

    GET  /markets                       200, the markets
    GET  /markets/{id}                  200, one market, or 404
    POST /markets/{id}/positions        201, a position {"side": "yes"|"no", "amount": "10.00"}

Every error, in every framework, is `{"error": {"code", "message", "details"}}`.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

MARKETS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Rain in Lisbon", "slug": "rain-lisbon", "status": "active"},
    2: {"id": 2, "name": "Snow in Porto", "slug": "snow-porto", "status": "draft"},
}
JSON_MEDIA_TYPE = "application/json"
MONEY_PATTERN = r"^[0-9]{1,10}(\.[0-9]{1,2})?$"
READ_ONLY_FIELDS = ("id", "created_at", "updated_at", "market_id")


class ApiError(Exception):
    """An HTTP error a view raises; each framework's error handler renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = {key: list(value) for key, value in (details or {}).items()}


def error_body(
    code: str, message: str, details: Mapping[str, Sequence[str]] | None = None
) -> dict[str, Any]:
    """The JSON error envelope."""
    fields = {key: [str(m) for m in value] for key, value in (details or {}).items()}
    return {"error": {"code": code, "message": message, "details": fields}}


def code_for_status(status: int) -> str:
    """The envelope `code` for an error the framework raised itself: 404 → `not_found`."""
    return http.HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def get_market(market_id: int) -> dict[str, Any]:
    """The market, or a 404 `ApiError`."""
    try:
        return MARKETS[market_id]
    except KeyError:
        raise ApiError(404, "not_found", f"No market with id {market_id}.") from None


def _decimal_string(value: Any) -> Any:
    # A JSON number is already a binary float on arrival: money travels as a decimal string.
    if not isinstance(value, str):
        raise ValueError('Money is sent as a decimal string, like "10.00".')
    if not re.fullmatch(MONEY_PATTERN, value):
        raise ValueError('Must be digits with at most two decimal places, like "10.00".')
    return value


Money = Annotated[Decimal, BeforeValidator(_decimal_string), Field(gt=0)]


class PositionIn(BaseModel):
    """The body of POST /markets/{id}/positions: only these two fields."""

    model_config = ConfigDict(extra="forbid")

    side: Literal["yes", "no"]
    amount: Money


def parse_position(raw: bytes, content_type: str | None) -> PositionIn:
    """The validated body: 400 if empty, 415 unless sent as JSON, 400 naming each bad field."""
    if not raw:  # checked first: Django's test client drops the Content-Type of an empty body
        raise ApiError(400, "invalid_json", "The request body is empty.")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if media_type != JSON_MEDIA_TYPE:
        sent = content_type or "no Content-Type"
        raise ApiError(415, "unsupported_media_type", f"Send the body as JSON, not {sent}.")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, RecursionError, ValueError):
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    try:
        return PositionIn.model_validate(value)
    except ValidationError as exc:
        raise _validation_failed(exc.errors()) from None


def _validation_failed(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    details: dict[str, list[str]] = {}
    for error in errors:
        field = ".".join(str(part) for part in error["loc"]) or "body"
        if error["type"] == "extra_forbidden":
            message = "This field is read-only." if field in READ_ONLY_FIELDS else "Unknown field."
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        details.setdefault(field, []).append(message)
    return ApiError(400, "validation_failed", "The position is not valid.", details)


def position_json(market_id: int, position: PositionIn) -> dict[str, Any]:
    return {"market_id": market_id, "side": position.side, "amount": str(position.amount)}
