"""What the tests send and expect: requests, the two error formats, and their failure texts."""

from __future__ import annotations

import json
import logging
from typing import Any

from patterns_workbook.testing.http import HttpClient, Reply

EDITOR = {"Authorization": "Bearer editor-token"}
VIEWER = {"Authorization": "Bearer viewer-token"}
PROBLEM = {"Accept": "application/problem+json"}
CHALLENGE = 'Bearer realm="markets"'
TYPES = "https://errors.markets.example/"


def market(slug: str = "rain-lisbon", tag: str = "weather") -> dict[str, str]:
    return {"name": f"Market {slug}", "slug": slug, "tag": tag}


def create(client: HttpClient, body: Any = None, **headers: str) -> Reply:
    return client.post("/markets", json=market() if body is None else body, headers=headers)


def shown(reply: Reply) -> str:
    """The reply as a failure message shows it: status, Content-Type, body on one line."""
    text = " ".join(reply.text.split())
    text = text if len(text) <= 400 else text[:400] + "…"
    media = reply.header("Content-Type")
    hint = ""
    if reply.status == 500:
        hint = " [a 500: the traceback is under 'Captured log' — a TODO(task N) shows there]"
    return f"{reply.status} (Content-Type: {media}) {text or '(empty body)'}{hint}"


def leaked(reply: Reply, words: tuple[str, ...]) -> list[str]:
    """The `words` a reply shows a client: in its body, or in any header's name or value."""
    headers = " ".join(f"{name}: {value}" for name, value in reply.headers.items())
    return [word for word in words if word in reply.text or word in headers]


def _json(reply: Reply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def request_id_of(reply: Reply, call: str) -> str:
    rid = reply.header("X-Request-ID")
    assert rid, (
        f"[{call}] answered {shown(reply)} without an X-Request-ID header; the given middleware "
        "sets it on every response — is the response built outside it?"
    )
    return rid


def expect_envelope(
    reply: Reply,
    status: int,
    code: str,
    call: str,
    why: str,
    *,
    message: str | None = None,
    details: dict[str, list[str]] | None = None,
    any_details: bool = False,
    task: int,
) -> dict[str, Any]:
    """Assert the envelope `{"error": {"code", "message", "details", "request_id"}}` exactly
    (`details` too, unless `any_details`: the caller checks them)."""
    assert reply.status == status, f"{call} answered {shown(reply)}; expected {status}: {why}"
    media = (reply.header("Content-Type") or "").split(";")[0].strip()
    assert media == "application/json", (
        f"{call} answered {shown(reply)}; without Accept: application/problem+json an error is "
        f"the envelope, sent as application/json — not {media or 'no Content-Type'} "
        f"(rendering.render gives the media type: copy it into the response) (task {task})"
    )
    body = _json(reply)
    shape = '{"error": {"code", "message", "details", "request_id"}}'
    assert isinstance(body, dict) and set(body) == {"error"}, (
        f"{call} answered {shown(reply)}; every error body is the envelope {shape} and nothing "
        f"else, in every framework (task {task})"
    )
    error = body["error"]
    assert isinstance(error, dict) and set(error) == {"code", "message", "details", "request_id"}, (
        f"{call} answered {shown(reply)}; the envelope's error has exactly the keys code, "
        f"message, details and request_id (task 2: rendering.envelope_body) (task {task})"
    )
    rid = request_id_of(reply, call)
    assert error["request_id"] == rid, (
        f"{call} answered request_id {error['request_id']!r} with X-Request-ID: {rid!r}; the "
        "body carries the id of *this* request — the one the given middleware put on the "
        "request and on the response — so a client quoting it finds the log line "
        f"(task {task})"
    )
    assert error["code"] == code, (
        f"{call} answered code {error['code']!r}; expected {code!r}: {why} (task {task})"
    )
    if message is not None:
        assert error["message"] == message, (
            f"{call} answered message {error['message']!r}; expected {message!r}: {why} "
            f"(task {task})"
        )
    expected_details = {} if details is None else details
    assert any_details or error["details"] == expected_details, (
        f"{call} answered details {json.dumps(error['details'])}; expected "
        f"{json.dumps(expected_details)}: {why} (task {task})"
    )
    return error


def expect_problem(
    reply: Reply,
    status: int,
    code: str,
    call: str,
    why: str,
    *,
    detail: str | None = None,
    instance: str,
    task: int,
) -> dict[str, Any]:
    """Assert an RFC 9457 problem+json body: type, title, status, detail, instance, request_id."""
    assert reply.status == status, f"{call} answered {shown(reply)}; expected {status}: {why}"
    media = (reply.header("Content-Type") or "").split(";")[0].strip()
    assert media == "application/problem+json", (
        f"{call} with Accept: application/problem+json answered {shown(reply)}; the client "
        "asked for RFC 9457 problem details, sent as application/problem+json — the same "
        f"handler, another rendering (task {task})"
    )
    body = _json(reply)
    keys = {"type", "title", "status", "detail", "instance", "request_id"}
    assert isinstance(body, dict) and keys <= set(body) <= keys | {"errors"}, (
        f"{call} answered {shown(reply)}; a problem has exactly type, title, status, detail, "
        f"instance and request_id, plus errors when fields are named (task {task})"
    )
    rid = request_id_of(reply, call)
    from http import HTTPStatus

    expected = {
        "type": TYPES + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "instance": instance,
        "request_id": rid,
    }
    got = {key: body[key] for key in expected}
    assert got == expected, (
        f"{call} answered {json.dumps(got)}; expected {json.dumps(expected)}: {why} — type is "
        "PROBLEM_TYPES + the code, title the status's reason phrase, status the number, "
        f"instance the request's path, request_id this request's X-Request-ID (task {task})"
    )
    if detail is not None:
        assert body["detail"] == detail, (
            f"{call} answered detail {body['detail']!r}; expected {detail!r} (task {task})"
        )
    return body


def errors_logged(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.levelno >= logging.ERROR]


def described(records: list[logging.LogRecord]) -> str:
    lines = []
    for r in records:
        exc = r.exc_info[1] if r.exc_info else None
        traced = type(exc).__name__ if exc else "nothing"
        lines.append(
            f"{r.name} {r.levelname} {r.getMessage()!r} (request_id="
            f"{getattr(r, 'request_id', None)!r}, traceback of {traced})"
        )
    return "; ".join(lines) or "nothing"
