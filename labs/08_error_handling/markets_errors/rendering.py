"""One renderer for every error: the workbook's envelope, or RFC 9457 problem+json.

Framework-free: each framework's handler calls `render()` and copies its status, media type,
headers and body into the framework's own response, so the three apps answer alike.

    envelope (default)             {"error": {"code", "message", "details", "request_id"}}
    application/problem+json       {"type", "title", "status", "detail", "instance",
                                    "request_id", "errors": [{"pointer", "detail"}, …]}
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markets_errors.errors import ApiError

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPES = "https://errors.markets.example/"  # + the code: one page per problem type
# RFC 9110 §12.4.2: a qvalue is 0 to 1 with at most three decimals ("0.5", "1.000").
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


@dataclass(frozen=True)  # pragma: no mutate (immutability is hygiene, not behaviour)
class Rendered:
    """What a handler sends: copy each field into the framework's response."""

    status: int
    media_type: str
    headers: dict[str, str]
    body: dict[str, Any]


def prefers_problem_json(accept: str | None) -> bool:
    """True when the client names problem+json in a valid range (not only `*/*` or
    `application/*`: those get the envelope, as does no Accept at all), with a q above 0 and
    at least plain JSON's."""
    raise NotImplementedError(
        "TODO(task 2): choose problem+json from the Accept header — see README task 2"
    )


def render(error: ApiError, *, request_id: str, instance: str, accept: str | None) -> Rendered:
    """The response for `error`: the envelope, or problem+json when the client prefers it.

    `instance` is the request's path; the headers are the error's own plus `Vary: Accept`
    (the body depends on Accept, so a cache must not hand one client's format to another).
    """
    raise NotImplementedError(
        "TODO(task 2): the envelope or the problem, with the headers — see README task 2"
    )


def envelope_body(error: ApiError, request_id: str) -> dict[str, Any]:
    """`{"error": {"code", "message", "details", "request_id"}}`, details copied."""
    raise NotImplementedError("TODO(task 2): the envelope — see README task 2")


def problem_body(error: ApiError, request_id: str, instance: str) -> dict[str, Any]:
    """RFC 9457's members, `request_id`, and `errors` (one per message) when fields are named."""
    raise NotImplementedError("TODO(task 2): the problem details — see README task 2")


def pointer(field: str) -> str:
    """The JSON Pointer (RFC 6901) fragment naming a top-level body field: `#/name`."""
    raise NotImplementedError("TODO(task 2): the JSON Pointer to a field — see README task 2")
