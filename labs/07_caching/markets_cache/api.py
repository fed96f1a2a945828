"""The two routes every framework serves, the body rules and the error envelope. Given code.

    GET   /markets/{id}   200 the market (from the cache when it can be), or 404
    PATCH /markets/{id}   200 the updated market; a body of name / status / volume

Each framework's app (`django_app`, `fastapi_app`, `flask_app`) only routes to `show` and
`edit` and renders `ApiError` in the envelope `{"error": {"code", "message", "details"}}`.
"""

from __future__ import annotations

import http
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from markets_cache.cache import CachedMarketRepository
from markets_cache.domain import Market, MarketNotFound, Status

JSON_MEDIA_TYPE = "application/json"
MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
READ_ONLY_FIELDS = ("id", "slug", "created_at", "updated_at")
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NAME_MAX_LENGTH = 200
# The OpenAPI schema of a PATCH body, written out so that it says exactly what `parse_patch`
# accepts. A name is 1 to 200 characters once trimmed of what `strip_whitespace` trims
# (spelled out: `\s` differs between regex dialects) and holds no NUL; a lone surrogate is
# refused too, which no pattern can say (UTF-8 text has none).
_SPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_SPACE = rf"[^{_SPACE}\x00]"
NAME_PATTERN = (
    rf"^[{_SPACE}]*{_NOT_SPACE}(?:[^\x00]{{0,{NAME_MAX_LENGTH - 2}}}{_NOT_SPACE})?[{_SPACE}]*$"
)


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


def _decimal_string(value: Any) -> Any:
    # A JSON number is already a binary float on arrival: money travels as a decimal string.
    if not isinstance(value, str):
        raise ValueError('Money is sent as a decimal string, like "10.00".')
    if not re.fullmatch(MONEY_PATTERN, value):
        raise ValueError('Must be digits with at most two decimal places, like "10.00".')
    return value


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("This field may not be null.")
    if isinstance(value, str) and UNSTORABLE.search(value):
        raise ValueError("Text may not contain a NUL character or a lone surrogate.")
    return value


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH)
]
Money = Annotated[Decimal, BeforeValidator(_decimal_string), Field(ge=0)]


class MarketPatch(BaseModel):
    """The body of PATCH: any non-empty subset of these fields, none of them null."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(None)  # type: ignore[assignment]  # omitted, never null (see _refuse)
    status: Status = Field(None)  # type: ignore[assignment]
    volume: Money = Field(None)  # type: ignore[assignment]

    @field_validator("*", mode="before")
    @classmethod
    def _refuse(cls, value: Any) -> Any:
        # Field validators run only on fields the client sent: an omitted field stays None.
        return _not_null(value)


PATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Any non-empty subset of the fields; none of them null.",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "name": {"type": "string", "pattern": NAME_PATTERN, "examples": ["Rain in Porto"]},
        "status": {"type": "string", "enum": [status.value for status in Status]},
        "volume": {"type": "string", "pattern": MONEY_PATTERN, "examples": ["12.50"]},
    },
}


def parse_patch(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """The validated changes: 400 if empty or not JSON, 415 unless sent as JSON, 400 per field."""
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
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "The request body must be one JSON object.")
    try:
        changes = MarketPatch.model_validate(value).model_dump(exclude_unset=True)
    except ValidationError as exc:
        raise _validation_failed(exc.errors()) from None
    if not changes:
        raise ApiError(400, "validation_failed", "Send at least one field to change.")
    return changes


def _validation_failed(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    details: dict[str, list[str]] = {}
    for error in errors:
        field = str(error["loc"][0]) if error["loc"] else "body"
        if error["type"] == "extra_forbidden":
            message = "This field is read-only." if field in READ_ONLY_FIELDS else "Unknown field."
        else:
            message = str(error["msg"]).removeprefix("Value error, ")
        details.setdefault(field, []).append(message)
    return ApiError(400, "validation_failed", "The changes are not valid.", details)


def market_json(market: Market) -> dict[str, Any]:
    return {
        "id": market.id,
        "name": market.name,
        "slug": market.slug,
        "status": market.status.value,
        "volume": str(market.volume),
        "created_at": market.created_at.isoformat(),
        "updated_at": market.updated_at.isoformat(),
    }


def _not_found(market_id: int) -> ApiError:
    return ApiError(404, "not_found", f"No market with id {market_id}.")


def show(repository: CachedMarketRepository, market_id: int) -> dict[str, Any]:
    """GET /markets/{id}: the market's JSON, or a 404 `ApiError`."""
    market = repository.get(market_id)
    if market is None:
        raise _not_found(market_id)
    return market_json(market)


def edit(
    repository: CachedMarketRepository, market_id: int, raw: bytes, content_type: str | None
) -> dict[str, Any]:
    """PATCH /markets/{id}: validate, update through the cache (which invalidates), answer."""
    changes = parse_patch(raw, content_type)
    try:
        return market_json(repository.update(market_id, **changes))
    except MarketNotFound:
        raise _not_found(market_id) from None
