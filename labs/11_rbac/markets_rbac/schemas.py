"""Request and response bodies, validated by Pydantic v2 in all three frameworks. Given code.

One set of rules for every track, so a body is refused alike everywhere: only the model's
fields (an unknown field such as `role`, or a read-only one such as `creator_id`, is a 400
naming it — never silently dropped), no `null` in a PATCH, and no text a database could not
store (a NUL or a lone surrogate).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from markets_rbac.contract import (
    ApiError,
    FieldErrors,
    invalid_json,
    is_json,
    unsupported_media_type,
    validation_failed,
)
from markets_rbac.domain import ROLES, Status

M = TypeVar("M", bound=BaseModel)

NAME_MAX_LENGTH = 200
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# What strip_whitespace trims (Unicode White_Space), spelled out for the OpenAPI pattern.
_SPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_SPACE = rf"[^{_SPACE}\x00]"
NAME_PATTERN = (
    rf"^[{_SPACE}]*{_NOT_SPACE}(?:[^\x00]{{0,{NAME_MAX_LENGTH - 2}}}{_NOT_SPACE})?[{_SPACE}]*$"
)
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_TEXT = "Text may not contain a NUL character or a lone surrogate."
READ_ONLY_FIELDS = ("id", "creator_id", "status", "outcome", "created_at", "updated_at")

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX_LENGTH),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN, "examples": ["Rain in Lisbon"]}),
]
Slug = Annotated[str, StringConstraints(max_length=100, pattern=SLUG_PATTERN)]


def _omitted_not_null(schema: dict[str, Any]) -> None:
    schema.pop("default", None)  # a PATCH field is omitted or sent, never null


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and UNSTORABLE.search(value):
            raise ValueError(UNSTORABLE_TEXT)
        return value


class MarketCreate(_Body):
    """POST /markets: a new draft, created by the caller."""

    name: Name
    slug: Slug


class MarketPatch(_Body):
    """PATCH /markets/{id}: any subset of name and slug; a field sent as null is an error."""

    name: Name = Field(None, json_schema_extra=_omitted_not_null)  # type: ignore[assignment]
    slug: Slug = Field(None, json_schema_extra=_omitted_not_null)  # type: ignore[assignment]

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("This field may not be null.")
        return value


class Resolution(_Body):
    """POST /markets/{id}/resolve."""

    outcome: Literal["yes", "no"]


class RoleChange(_Body):
    """PUT /users/{id}/role: one of the roles an admin may assign."""

    role: Literal[ROLES]  # type: ignore[valid-type]


class MarketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    slug: str
    creator_id: int
    status: Status
    outcome: Literal["yes", "no"] | None


class MarketList(BaseModel):
    results: list[MarketOut]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    role: str | None


class ErrorObject(BaseModel):
    code: str
    message: str
    details: dict[str, list[str]]


class ErrorBody(BaseModel):
    """The error envelope, for the OpenAPI schema."""

    error: ErrorObject


def read_json(raw: bytes) -> Any:
    """The JSON value of a raw body; a body that is not JSON is a 400 `invalid_json`."""
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise invalid_json("It is not UTF-8.") from None
    except RecursionError:
        raise invalid_json("It is nested too deeply.") from None
    except ValueError:
        raise invalid_json() from None


def parse_body(content_type: str | None, raw: bytes, model: type[M]) -> M:
    """The body validated as `model`: 415 unless sent as JSON, 400 per field otherwise.

    An empty body is a 400 whatever its type (Django's test client sends no Content-Type
    with it).
    """
    if not raw:
        raise invalid_json("The body is empty.")
    if not is_json(content_type):
        raise unsupported_media_type(content_type)
    try:
        return model.model_validate(read_json(raw))
    except ValidationError as exc:
        raise api_error_from(exc.errors()) from None


def api_error_from(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    """The 400 for Pydantic errors, each bad field named in `details`."""
    details: FieldErrors = {}
    for error in errors:
        field = ".".join(str(part) for part in error["loc"]) or "body"
        details.setdefault(field, []).append(_message(field, error))
    return validation_failed(details)


def _message(field: str, error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        if field in READ_ONLY_FIELDS:
            return "This field is read-only: the server sets it."
        return "Unknown field."
    return str(error["msg"]).removeprefix("Value error, ")


def openapi_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` for a FastAPI route that reads its body itself (after authorization)."""
    schema = {"content": {"application/json": {"schema": model.model_json_schema()}}}
    return {"requestBody": {"required": True, **schema}}
