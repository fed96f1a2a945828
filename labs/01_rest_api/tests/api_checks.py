"""Assertions the API tests share: the error envelope, the market representation, links."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from patterns_workbook.testing.http import Reply

MARKET_FIELDS = {"id", "name", "slug", "status", "volume", "created_at", "updated_at"}


def body_of(reply: Reply) -> Any:
    """The reply's JSON, or None when the body is not JSON (an HTML error page, say)."""
    try:
        return reply.json()
    except ValueError:
        return None


def shown(reply: Reply) -> str:
    """The reply as a failure message shows it: status and body, on one line."""
    text = " ".join(reply.text.split())
    limit = 300 if body_of(reply) is not None else 100  # an HTML error page: its start will do
    text = text if len(text) <= limit else text[:limit] + "…"
    if reply.status == 500:
        text += (
            " [500: the server raised an exception; its traceback is under 'Captured log' below"
            " — an unfinished stub's TODO(task N) shows there too]"
        )
    return f"{reply.status} {text or '(empty body)'}"


def expect_status(reply: Reply, status: int, call: str, why: str) -> Any:
    """Assert the status; return the JSON body."""
    assert reply.status == status, f"{call} answered {shown(reply)}; expected {status}: {why}"
    return body_of(reply)


def expect_error(reply: Reply, status: int, code: str, call: str, why: str) -> dict[str, Any]:
    """Assert an error reply in the envelope; return its `error` object.

    {"error": {"code": "...", "message": "...", "details": {...}}} — the same in every
    framework, so one client handles every error the same way.
    """
    assert reply.status == status, f"{call} answered {shown(reply)}; expected {status}: {why}"
    media_type = (reply.header("Content-Type") or "").split(";")[0].strip()
    assert media_type == "application/json", (
        f"{call} answered {status} with Content-Type: {reply.header('Content-Type')!r}; every "
        "error is the JSON envelope, sent as application/json. "
        + (
            "This JSON body is labelled as something else: a handler copied the exception's "
            "own Content-Type onto it (task 5)"
            if body_of(reply) is not None
            else "This is the framework's own error page: no handler of yours rendered the "
            "error (task 5: register it where the router's errors reach it)"
        )
    )
    body = body_of(reply)
    shape = '{"error": {"code": ..., "message": ..., "details": {...}}}'
    assert isinstance(body, dict) and set(body) == {"error"}, (
        f"{call} answered {shown(reply)}; every error body is the envelope {shape} and nothing "
        "else (task 2: one error handler renders ApiError; task 5: the framework's own errors)"
    )
    error = body["error"]
    assert isinstance(error, dict) and set(error) == {"code", "message", "details"}, (
        f"{call} answered {shown(reply)}; the envelope's error object has exactly the keys "
        f"code, message and details (contract.error_body builds it)"
    )
    assert error["code"] == code, (
        f"{call} answered error code {error['code']!r}; expected {code!r}: {why}"
    )
    assert isinstance(error["message"], str) and error["message"], (
        f"{call} answered {shown(reply)}; the error message is a non-empty sentence for humans"
    )
    details = error["details"]
    assert isinstance(details, dict) and all(
        isinstance(k, str) and isinstance(v, list) and v and all(isinstance(m, str) for m in v)
        for k, v in details.items()
    ), (
        f"{call} answered details {json.dumps(details)}; details is an object mapping each bad "
        'field to a list of messages, e.g. {"name": ["This field is required."]}, or {}'
    )
    return error


def expect_market(data: Any, call: str, task: int) -> dict[str, Any]:
    """Assert the public representation of a market: exactly its seven fields, well typed."""
    assert isinstance(data, dict) and set(data) == MARKET_FIELDS, (
        f"{call} answered {json.dumps(data)[:300]}; a market is shown with exactly the fields "
        f"{sorted(MARKET_FIELDS)} (task {task})"
    )
    assert isinstance(data["volume"], str), (
        f"{call} answered volume {data['volume']!r} ({type(data['volume']).__name__}); volume "
        f'is money, a Decimal sent as a string like "1234.50", never a JSON number: a float '
        f"cannot hold 0.10 exactly (task {task})"
    )
    for stamp in ("created_at", "updated_at"):
        parsed = _iso_datetime(data[stamp])
        assert parsed is not None and parsed.utcoffset() == timedelta(0), (
            f"{call} answered {stamp}={data[stamp]!r}; timestamps are ISO 8601 in UTC, like "
            f'"2026-01-01T00:00:00Z" — not an HTTP date, not naive (task {task})'
        )
    return data


def expect_absolute_url(url: Any, call: str, what: str, task: int) -> None:
    """Assert `url` is absolute (scheme and host), as the contract promises for links."""
    parts = urlsplit(url) if isinstance(url, str) else None
    assert parts is not None and parts.scheme in ("http", "https") and parts.netloc, (
        f"{call} answered {what}={url!r}; it is an absolute URL, with scheme and host like "
        f"'http://testserver/markets/1', built from the request's absolute URL — a client "
        f"follows it as it is, without knowing where the request was sent (task {task})"
    )


def path_of(url: str | None) -> str:
    """'/markets?limit=2&offset=2' from an absolute or relative link (a client can follow it)."""
    assert url is not None, "a link to follow was null (task 1)"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def params_of(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


def _iso_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# A JSON body declared as something else: (what, the headers sent). The API reads JSON only.
NOT_JSON_CONTENT_TYPES = [
    ("text/plain", {"Content-Type": "text/plain"}),
    ("a form", {"Content-Type": "application/x-www-form-urlencoded"}),
    ("no Content-Type", {}),
    ("a vendor +json type", {"Content-Type": "application/vnd.evil+json"}),
]
NOT_JSON_WHY = (
    "a JSON-looking media type is not application/json either: application/vnd.evil+json "
    "is another format — Flask's request.is_json takes any application/*+json — so compare "
    "the media type itself (contract.is_json)"
)
# application/json in any case, with parameters: media types are case-insensitive (RFC 9110).
JSON_CONTENT_TYPES = ["application/json; charset=utf-8", "Application/JSON; charset=UTF-8"]
# Text no database can store, sent as the JSON escapes "\u0000" and "\ud800" (valid JSON).
UNSTORABLE = {"nul": "\x00", "lone-surrogate": "\ud800"}
UNSTORABLE_WHY = (
    "a NUL (\\u0000) or a lone surrogate (\\ud800) is valid JSON, but no database can store "
    "it — PostgreSQL refuses NUL in text, and a lone surrogate has no UTF-8 encoding — so the "
    "given models refuse it in every text field, naming the field (contract.is_storable_text). "
    "The body must reach them: a lone-surrogate escape is JSON syntax, not a broken body, "
    "yet Pydantic's model_validate_json refuses the whole body as 'invalid_json'; in Flask, "
    "parse with schemas.read_json (json.loads) and validate with model_validate (task {task})"
)
SECRET = "postgresql://markets:hunter2@db.internal/markets"
UNEXPECTED_IN_A_WRITE = (
    "the store failed, not the client: the body was valid, so this is no 400 'invalid_json' "
    "— catch RecursionError only around the body parse (request.data), never around the "
    "whole view, where the server's own RecursionError is blamed on the client — and an "
    "unexpected exception's text and type are internals: leave it to the framework's plain "
    "500 (task {task})"
)
INTERNALS = ("tried", "URLPattern", "URLResolver", "Resolver404", "<", "markets_rest")
NOT_WRITABLE_FIELDS = {
    "id": 2,
    "created_at": "2020-01-01T00:00:00Z",
    "updated_at": "2020-01-01T00:00:00Z",
    "zz_unknown": "x",
}


def not_writable_why(field: str, task: int) -> str:
    if field == "zz_unknown":
        return (
            f"{field!r} is no field of a market: a 400 naming it, so the client learns of its "
            f"typo instead of seeing it silently dropped (task {task})"
        )
    return (
        f"{field!r} is read-only — the server sets it — so a body that sends it is a 400 "
        "naming it: never applied, never silently dropped, never handed to the store (where "
        f"it is a 500). Pass the store only the validated, writable fields (task {task})"
    )


def expect_500_reveals_nothing(reply: Reply, call: str, error: type, why: str) -> None:
    """Assert a plain 500 that shows neither the exception's text (SECRET) nor its type."""
    name = error.__name__
    leaked = [s for s in ("hunter2", name, "Traceback") if s in reply.text]
    assert reply.status == 500 and not leaked, (
        f"{call}, while the store raised {name}('connection to {SECRET} lost'), answered "
        f"{reply.status} {' '.join(reply.text.split())[:300]!r}; expected a 500 that reveals "
        f"nothing{f', and it showed {leaked}' if leaked else ''}: {why}"
    )


def expect_no_internals(error: dict[str, Any], call: str, task: int) -> None:
    """Assert an error message names no server internals (URL patterns, modules)."""
    shown_internals = [word for word in INTERNALS if word in error["message"]]
    assert not shown_internals, (
        f"{call} answered message {error['message']!r}; it shows {shown_internals}, the "
        "server's internals: str() of Django's Resolver404 lists every URL pattern the "
        "project has (its 'tried' list) — what DEBUG=False exists to hide. Say that nothing "
        f"is at this URL, in your own words (task {task})"
    )
