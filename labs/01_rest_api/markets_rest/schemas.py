"""Pydantic v2 wire models, shared by the FastAPI and Flask apps. Given code.

The same rules as `django_api.serializers.MarketSerializer`, so both tracks validate alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from markets_rest.contract import ApiError, FieldErrors, invalid_json, validation_failed
from markets_rest.domain import Status

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, StringConstraints(max_length=100, pattern=SLUG_PATTERN)]
Volume = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]


class MarketWrite(BaseModel):
    """The body of POST and PUT: `name` and `slug` required, the rest has defaults."""

    name: Name
    slug: Slug
    status: Status = Status.DRAFT
    volume: Volume = Decimal("0.00")


class MarketPatch(BaseModel):
    """The body of PATCH: any subset of the fields; a field sent as null is an error."""

    name: Name | None = None
    slug: Slug | None = None
    status: Status | None = None
    volume: Volume | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Field validators run only on fields the client sent, so omitted fields stay None.
        if value is None:
            raise ValueError("This field may not be null.")
        return value


class MarketOut(BaseModel):
    """A market as the API shows it; `volume` serializes as a string ("1234.50")."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    status: Status
    volume: Decimal
    created_at: datetime
    updated_at: datetime


class MarketPage(BaseModel):
    count: int
    next: str | None
    previous: str | None
    results: list[MarketOut]


def api_error_from(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    """The 400 for Pydantic errors: `invalid_json`, or `validation_failed` with per-field details.

    Takes `ValidationError.errors()` or FastAPI's `RequestValidationError.errors()`; a leading
    "body" in an error's location is dropped, so {"loc": ("body", "name")} reports "name".
    """
    errors = list(errors)
    if any(error["type"] == "json_invalid" for error in errors):
        return invalid_json()
    details: FieldErrors = {}
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        if loc[:1] == ["body"]:
            loc = loc[1:]
        details.setdefault(".".join(loc) or "body", []).append(error["msg"])
    return validation_failed(details)
