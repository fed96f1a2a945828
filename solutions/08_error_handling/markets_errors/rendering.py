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
_EXACT = 2  # the specificity of a range naming the media type itself


@dataclass(frozen=True)  # pragma: no mutate (immutability is hygiene, not behaviour)
class Rendered:
    """What a handler sends: copy each field into the framework's response."""

    status: int
    media_type: str
    headers: dict[str, str]
    body: dict[str, Any]


def _quality(accept: str, media_type: str) -> tuple[int, float]:
    """How the Accept header weighs `media_type`: (the specificity of the most specific range
    matching it — 2 for `type/subtype`, 1 for `type/*`, 0 for `*/*`, -1 when none does —
    and that range's q, 0 when none does). A range whose q is not a qvalue is ignored."""
    ranks = ("*/*", media_type.split("/")[0] + "/*", media_type)  # least specific first
    best: tuple[int, float] = (-1, 0.0)
    for part in accept.split(","):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        media_range = media_range.lower()
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                value = value.strip()
                q = float(value) if _QVALUE.fullmatch(value) else -1.0
        if q < 0 or media_range not in ranks:
            continue
        if (specificity := ranks.index(media_range)) > best[0]:
            best = (specificity, q)
    return best


def prefers_problem_json(accept: str | None) -> bool:
    """True when the client names problem+json in a valid range (not only `*/*` or
    `application/*`: those get the envelope, as does no Accept at all), with a q above 0 and
    at least plain JSON's."""
    if not accept:
        return False
    specificity, problem = _quality(accept, PROBLEM_JSON)
    return specificity == _EXACT and problem > 0 and problem >= _quality(accept, JSON)[1]


def render(error: ApiError, *, request_id: str, instance: str, accept: str | None) -> Rendered:
    """The response for `error`: the envelope, or problem+json when the client prefers it.

    `instance` is the request's path; the headers are the error's own plus `Vary: Accept`
    (the body depends on Accept, so a cache must not hand one client's format to another).
    """
    headers = {**error.headers, "Vary": "Accept"}
    if prefers_problem_json(accept):
        return Rendered(
            error.status, PROBLEM_JSON, headers, problem_body(error, request_id, instance)
        )
    return Rendered(error.status, JSON, headers, envelope_body(error, request_id))


def envelope_body(error: ApiError, request_id: str) -> dict[str, Any]:
    """`{"error": {"code", "message", "details", "request_id"}}`, details copied."""
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "details": {field: list(msgs) for field, msgs in error.details.items()},
            "request_id": request_id,
        }
    }


def problem_body(error: ApiError, request_id: str, instance: str) -> dict[str, Any]:
    """RFC 9457's members, `request_id`, and `errors` (one per message) when fields are named."""
    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.message,
        "instance": instance,
        "request_id": request_id,
    }
    if error.details:
        body["errors"] = [
            {"pointer": pointer(field), "detail": message}
            for field, messages in error.details.items()
            for message in messages
        ]
    return body


def pointer(field: str) -> str:
    """The JSON Pointer (RFC 6901) fragment naming a top-level body field: `#/name`."""
    return "#/" + field.replace("~", "~0").replace("/", "~1")
