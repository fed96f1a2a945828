"""The list endpoint's query contract, written once and called by all three frameworks.

`GET /markets?status=active&ordering=-volume&limit=20&offset=40`
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from markets_rest.contract import DEFAULT_LIMIT, DEFAULT_ORDERING
from markets_rest.domain import Status


@dataclass(frozen=True, slots=True)
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
    raise NotImplementedError(
        "TODO(task 1): parse status, ordering (allow-listed), limit (capped) and offset, "
        "or raise contract.invalid_query(details) — see README task 1"
    )


def page_links(url: str, query: ListQuery, count: int) -> tuple[str | None, str | None]:
    """(next, previous): `url` with the offset moved one page on or back, or None past the ends.

    `url` is the request's absolute URL; its other parameters (status, ordering) are kept and
    `limit` is the capped one, so following the links never changes the page size.
    """
    raise NotImplementedError(
        "TODO(task 1): build the next and previous links from the request URL — see README task 1"
    )
