"""The body of `POST /markets` as Pydantic models, shared by the FastAPI and Flask apps. Given.

The same rules as the DRF serializer (`django_app.views.MarketSerializer`): one JSON object
with exactly `name`, `slug` and `tag`; an unknown or read-only field is refused, never
dropped; no text holds a NUL or a lone surrogate (no database stores them).
`api_error_from` turns Pydantic's errors into the lab's `MalformedJson` / `ValidationFailed`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from markets_errors.errors import ApiError, FieldErrors, MalformedJson, ValidationFailed

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
READ_ONLY = ("id", "created_at", "updated_at")
# The largest body read, in bytes: Django's default DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MiB), set
# in all three apps (Flask's MAX_CONTENT_LENGTH, FastAPI's BodyLimit), so a larger one is the
# same 413 everywhere — and no client makes a worker read 1 GB to find a bad field.
MAX_BODY_BYTES = 2_621_440
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # NUL, and the halves of UTF-16 pairs


class MarketIn(BaseModel):
    """`POST /markets`: a market and the tag it is filed under (created when new)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[StrictStr, Field(min_length=1, max_length=100, pattern=r"^[^\x00]*$")]
    slug: Annotated[StrictStr, Field(max_length=50, pattern=SLUG)]
    tag: Annotated[StrictStr, Field(max_length=30, pattern=SLUG)]

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and UNSTORABLE.search(value):
            raise ValueError("Text may not hold a NUL character or a lone surrogate.")
        return value


class MarketOut(BaseModel):
    id: int
    name: str
    slug: str
    tag: str


def api_error_from(errors: Iterable[Mapping[str, Any]]) -> ApiError:
    """Pydantic's (or FastAPI's `RequestValidationError.errors()`) errors as the lab's error.

    A body that is not JSON, or not one object, is `MalformedJson`; otherwise each bad field
    is named in a `ValidationFailed` (a leading "body" in an error's location is dropped).
    """
    details: FieldErrors = {}
    for error in errors:
        loc = [str(part) for part in error["loc"]]
        if loc[:1] == ["body"]:
            loc = loc[1:]
        if error["type"] == "json_invalid" or not loc:
            return MalformedJson()
        details.setdefault(loc[0], []).append(_message(loc[0], error))
    return ValidationFailed(details)


def _message(field: str, error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        return "This field is read-only." if field in READ_ONLY else "Unknown field."
    return str(error["msg"]).removeprefix("Value error, ")
