"""The list endpoint's query contract, written once and called by all three frameworks.

`GET /markets?status=active&ordering=-volume&limit=20&offset=40`
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from markets_rest.contract import (
    DEFAULT_LIMIT,
    DEFAULT_ORDERING,
    MAX_LIMIT,
    MAX_WHOLE_NUMBER,
    ORDERING_FIELDS,
    FieldErrors,
    invalid_query,
)
from markets_rest.domain import Status

ORDERINGS = frozenset(ORDERING_FIELDS) | {f"-{field}" for field in ORDERING_FIELDS}
_DIGITS = re.compile(r"[0-9]+")  # not int(): it also takes " 7", "+7", "1_000" and "٧"
_MAX_DIGITS = len(str(MAX_WHOLE_NUMBER))  # 19


@dataclass(frozen=True, slots=True)  # pragma: no mutate (never hashed, mutated or extended)
class ListQuery:
    status: Status | None = None
    ordering: str = DEFAULT_ORDERING
    limit: int = DEFAULT_LIMIT  # already capped at MAX_LIMIT
    offset: int = 0


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    """Validate the list's query parameters; unknown parameters are ignored.

    Raises `ApiError` (400, `invalid_query`) naming every bad parameter in `details`. A
    `limit` above MAX_LIMIT is capped, not refused.
    """
    errors: FieldErrors = {}
    status = _status(params.get("status"), errors)
    ordering = _ordering(params.get("ordering", DEFAULT_ORDERING), errors)
    limit = _whole_number(params, "limit", DEFAULT_LIMIT, minimum=1, errors=errors)
    offset = _whole_number(params, "offset", 0, minimum=0, errors=errors)
    if errors:
        raise invalid_query(errors)
    return ListQuery(status=status, ordering=ordering, limit=min(limit, MAX_LIMIT), offset=offset)


def page_links(url: str, query: ListQuery, count: int) -> tuple[str | None, str | None]:
    """(next, previous): `url` with the offset moved one page on or back, or None past the ends.

    `url` is the request's absolute URL; its other parameters (status, ordering) are kept and
    `limit` is the capped one, so following the links never changes the page size.
    """
    next_url = None
    if query.offset + query.limit < count:
        next_url = _with_page(url, query.limit, query.offset + query.limit)
    previous_url = None
    if query.offset > 0:
        previous_url = _with_page(url, query.limit, max(query.offset - query.limit, 0))
    return next_url, previous_url


def _status(value: str | None, errors: FieldErrors) -> Status | None:
    if value is None:
        return None
    try:
        return Status(value)
    except ValueError:
        errors["status"] = [f"Must be one of: {', '.join(Status)}."]
        return None


def _ordering(value: str, errors: FieldErrors) -> str:
    # An allow-list, never the raw value: the store (an ORM) would sort by any field at all.
    if value not in ORDERINGS:
        allowed = ", ".join(ORDERING_FIELDS)
        errors["ordering"] = [f"Cannot order by {value!r}; use one of {allowed}, or -field."]
    return value


def _whole_number(
    params: Mapping[str, str], name: str, default: int, *, minimum: int, errors: FieldErrors
) -> int:
    value = params.get(name)
    if value is None:
        return default
    # The length first: int() of thousands of digits raises ValueError (and takes time).
    if (
        not _DIGITS.fullmatch(value)
        or len(value) > _MAX_DIGITS
        or not minimum <= int(value) <= MAX_WHOLE_NUMBER
    ):
        errors[name] = [f"Must be a whole number from {minimum} to {MAX_WHOLE_NUMBER}."]
        return default  # pragma: no mutate (discarded: parse_list_query raises on any error)
    return int(value)


def _with_page(url: str, limit: int, offset: int) -> str:
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, True) if k not in ("limit", "offset")]
    params += [("limit", str(limit)), ("offset", str(offset))]
    return urlunsplit(parts._replace(query=urlencode(params)))
