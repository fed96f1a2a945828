"""Pydantic v2 wire models, shared by the FastAPI and Flask apps. Given code.

The same rules as `django_api.serializers.MarketSerializer`, so both tracks validate alike:
a write body names only writable fields (an unknown or read-only field is an error, never
silently dropped), `volume` is a decimal *string* (a JSON number is an error: it was a float
on the way), PATCH refuses `null`, and no text field takes a NUL or a lone surrogate
(`contract.is_storable_text`: no database can store them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from markets_rest.contract import (
    UNSTORABLE_TEXT,
    ApiError,
    FieldErrors,
    invalid_json,
    is_storable_text,
    validation_failed,
)
from markets_rest.domain import Status

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MONEY_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
# What a volume must be, in one pattern for the OpenAPI schema: MONEY_PATTERN with at most 12
# digits before the point (max_digits=14 less decimal_places=2; Decimal drops leading zeros).
VOLUME_PATTERN = r"^0*[0-9]{1,12}(\.[0-9]{1,2})?$"
NAME_MAX_LENGTH = 200
# What strip_whitespace trims (Unicode White_Space, as Rust's str::trim), spelled out: `\s`
# means another set in each regex dialect (ECMA's takes U+FEFF, not U+0085).
_SPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# A name is 1 to 200 characters once trimmed, so the trimmed part starts and ends with a
# non-space, and none is a NUL; the OpenAPI schema says so of the name as sent. A lone
# surrogate is refused too (`_Body`), but no pattern can say so: JSON Schema validators such
# as jsonschema-rs match UTF-8 text, which has no lone surrogates, and refuse `\ud800-\udfff`.
_NUL = r"\x00"
_TEXT = rf"[^{_NUL}]"
_NOT_SPACE = rf"[^{_SPACE}{_NUL}]"
NAME_PATTERN = (
    rf"^[{_SPACE}]*{_NOT_SPACE}(?:{_TEXT}{{0,{NAME_MAX_LENGTH - 2}}}{_NOT_SPACE})?[{_SPACE}]*$"
)
NAME_DESCRIPTION = (
    f"1 to {NAME_MAX_LENGTH} characters once trimmed of white space; "
    "no NUL character and no lone surrogate (no database can store them)."
)
READ_ONLY_FIELDS = ("id", "created_at", "updated_at")  # the server sets them, never a client
MONEY_AS_STRING = 'Money is sent as a decimal string, like "1234.50", never a JSON number.'
MONEY_FORMAT = 'Must be digits with at most two decimal places, like "1234.50".'


def _decimal_string(value: Any) -> Any:
    # Decimal's lax mode takes 0.1 — already a binary float, 0.1000000000000000055…, by the
    # time it arrives — and " 1e3", "NaN". Only a plain decimal string is an exact amount.
    if not isinstance(value, str):
        raise ValueError(MONEY_AS_STRING)
    if not re.fullmatch(MONEY_PATTERN, value):
        raise ValueError(MONEY_FORMAT)
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": NAME_PATTERN,
            "description": NAME_DESCRIPTION,
            "examples": ["Rain in Lisbon"],
        }
    ),
]
Slug = Annotated[str, StringConstraints(max_length=100, pattern=SLUG_PATTERN)]
Volume = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    Field(ge=0, max_digits=14, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": VOLUME_PATTERN, "examples": ["1234.50"]}),
]


def _omitted_not_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # a PATCH field is omitted or sent, never null


def read_json(raw: bytes) -> Any:
    """The JSON value of a raw body; a body that is not JSON is a 400 `invalid_json`.

    Not `model_validate_json`: its parser refuses a whole body for one lone-surrogate escape
    ("\\ud800"), which is valid JSON syntax — the field's rule refuses it, naming the field.
    """
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid_json("It is not UTF-8.") from None
    except RecursionError:
        raise invalid_json("It is nested too deeply.") from None
    except ValueError:
        raise invalid_json() from None


class _Body(BaseModel):
    """A write body: only the model's fields, and text a database can store in each."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and not is_storable_text(value):
            raise ValueError(UNSTORABLE_TEXT)
        return value


class MarketWrite(_Body):
    """The body of POST and PUT: `name` and `slug` required, the rest has defaults."""

    name: Name
    slug: Slug
    status: Status = Status.DRAFT
    volume: Volume = Decimal("0.00")


class MarketPatch(_Body):
    """The body of PATCH: any subset of the fields; a field sent as null is an error.

    An omitted field stays None and is left out by `model_dump(exclude_unset=True)`; the
    schema says each field is a string (not nullable), which is what the API accepts.
    """

    name: Name = Field(None, json_schema_extra=_omitted_not_null)  # type: ignore[assignment]
    slug: Slug = Field(None, json_schema_extra=_omitted_not_null)  # type: ignore[assignment]
    status: Status = Field(None, json_schema_extra=_omitted_not_null)  # type: ignore[assignment]
    volume: Volume = Field(None, json_schema_extra=_omitted_not_null)  # type: ignore[assignment]

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


class ErrorObject(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    """The error envelope (`contract.error_body`), for the OpenAPI schema of each error."""

    error: ErrorObject


def api_error_from(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    """The 400 for Pydantic errors: `invalid_json`, or `validation_failed` with per-field details.

    Takes `ValidationError.errors()` or FastAPI's `RequestValidationError.errors()`; a leading
    "body" in an error's location is dropped, so {"loc": ("body", "name")} reports "name".
    """
    errors = list(errors)
    if any(error["type"] == "json_invalid" for error in errors):
        return invalid_json()
    if any(error["type"] == "missing" and tuple(error["loc"]) == ("body",) for error in errors):
        return invalid_json("The body is empty.")  # FastAPI: no body at all
    details: FieldErrors = {}
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        if loc[:1] == ["body"]:
            loc = loc[1:]
        field = ".".join(loc) or "body"
        details.setdefault(field, []).append(_message(field, error))
    return validation_failed(details)


def _message(field: str, error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        if field in READ_ONLY_FIELDS:
            return "This field is read-only: the server sets it."
        return "Unknown field: a market has no such field."
    return str(error["msg"]).removeprefix("Value error, ")
