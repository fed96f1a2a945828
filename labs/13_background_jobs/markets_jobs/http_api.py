"""What the three HTTP adapters share: the create rules, the JSON and the error envelope. Given.

Every error, in every framework and for every status, has one body:

    {"error": {"code": "validation_error", "message": "...", "details": {"slug": ["..."]}}}

`details` is always an object: for invalid input it maps each bad field to a list of
messages; otherwise it is `{}`.
"""

from __future__ import annotations

import http
import re
from collections.abc import Mapping
from typing import Any

from markets_jobs.domain import MarketDoc, NewMarket

MAX_ID = 2**63 - 1  # the largest id a bigint column (SQLite, PostgreSQL) can hold
MAX_NAME = 200
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"  # ASCII: `re` would let `\w` match "é"
MAX_SLUG = 64
FIELDS = ("name", "slug")
READ_ONLY = ("id", "created_at", "updated_at")

FieldErrors = dict[str, list[str]]


def parse_market(body: Any) -> tuple[NewMarket | None, FieldErrors]:
    """The market in a decoded JSON body, or None and a message list per bad field.

    Unknown and read-only fields are refused by name rather than silently dropped; text a
    database cannot store (NUL, a lone surrogate) is refused here, not by the driver.
    """
    if not isinstance(body, dict):
        return None, {"body": ["send one JSON object"]}
    problems: FieldErrors = {}
    for name in body:
        if name in READ_ONLY:
            problems[name] = ["read-only: the server sets it"]
        elif name not in FIELDS:
            problems[name] = ["unknown field"]
    name = body.get("name")
    if not (isinstance(name, str) and name.strip() and len(name) <= MAX_NAME and _storable(name)):
        problems["name"] = [f"a non-blank string of at most {MAX_NAME} characters"]
    slug = body.get("slug")
    if not (isinstance(slug, str) and len(slug) <= MAX_SLUG and re.fullmatch(SLUG_PATTERN, slug)):
        problems["slug"] = [f"lower-case ASCII words joined by '-', at most {MAX_SLUG} characters"]
    if problems:
        return None, problems
    return NewMarket(name=name.strip(), slug=slug), {}


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (UTF-8 cannot encode it)."""
    return "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)


def parse_id(raw: str) -> int | None:
    """A path id as an int when it can name a row (ASCII digits, 1 to 2**63 - 1), else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": dict(details or {})}}


def invalid(details: Mapping[str, list[str]]) -> dict[str, Any]:
    return error_body("validation_error", "the market is invalid", details)


def invalid_json(reason: str = "the body is not valid JSON") -> dict[str, Any]:
    return error_body("invalid_json", reason, {"body": [reason]})


def slug_taken(slug: str) -> dict[str, Any]:
    return error_body("slug_taken", f"a market with the slug {slug!r} exists already")


def for_status(status: int, message: str | None = None) -> dict[str, Any]:
    """The envelope for an error the framework raised itself (404, 405, 415, 500…)."""
    phrase = http.HTTPStatus(status).phrase
    code = phrase.lower().replace(" ", "_").replace("-", "_")
    return error_body(code, message or phrase)


NOT_FOUND = error_body("not_found", "no such market")
SERVER_ERROR = for_status(500, "the server could not answer; nothing about why is shown")


def market_json(market: MarketDoc) -> dict[str, Any]:
    return {"id": market.id, "name": market.name, "slug": market.slug}


def location(market_id: int) -> str:
    return f"/markets/{market_id}"
