"""Task 2: every response carries the request's id, and every handler can read it.

These tests run only the request-id middleware (`api("request_id")`), in each framework.
"""

from __future__ import annotations

import pytest
from checks import body_of, expect_error, is_uuid4, shown

pytestmark = pytest.mark.task(2)

WHERE = {
    "django": "request.request_id",
    "fastapi": "request.state.request_id",
    "flask": "g.request_id",
}


def test_a_safe_incoming_id_is_echoed_and_handed_to_the_handler(api, framework) -> None:
    client = api("request_id")
    reply = client.get("/api/health", headers={"X-Request-ID": "req-42.a_b"})
    assert reply.status == 200 and reply.header("x-request-id") == "req-42.a_b", (
        f"[{framework}] GET /api/health with X-Request-ID: req-42.a_b answered {shown(reply)}; "
        "a safe incoming id is echoed as the response's X-Request-ID (task 2)"
    )
    seen = (body_of(reply) or {}).get("request_id")
    assert seen == "req-42.a_b", (
        f"[{framework}] the health handler read request id {seen!r}; the middleware stores "
        f"the id where handlers read it, {WHERE[framework]} (task 2)"
    )


def test_a_request_without_an_id_gets_a_fresh_uuid4(api, framework) -> None:
    client = api("request_id")
    first, second = client.get("/api/health"), client.get("/api/health")
    for reply in (first, second):
        request_id = reply.header("x-request-id")
        assert is_uuid4(request_id), (
            f"[{framework}] GET /api/health with no X-Request-ID answered {shown(reply)}; "
            "the middleware mints a UUID4 (headers.request_id_from) and echoes it (task 2)"
        )
        assert (body_of(reply) or {}).get("request_id") == request_id, (
            f"[{framework}] the handler saw {body_of(reply)!r} but the response says "
            f"X-Request-ID: {request_id}; one id per request, the same everywhere (task 2)"
        )
    assert first.header("x-request-id") != second.header("x-request-id"), (
        f"[{framework}] two requests both got X-Request-ID {first.header('x-request-id')}; "
        "each request gets its own id — mint it per request, never once per middleware (task 2)"
    )


@pytest.mark.parametrize(
    "incoming",
    [
        pytest.param("x" * 65, id="65 characters"),
        pytest.param("x" * 4000, id="4000 characters"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param('a"b', id="a quote"),
        pytest.param("a b", id="a space"),
        pytest.param("café", id="non-ASCII"),
        pytest.param("a,b", id="a comma"),
    ],
)
def test_an_unsafe_incoming_id_is_replaced_not_echoed(api, framework, incoming: str) -> None:
    reply = api("request_id").get("/api/health", headers={"X-Request-ID": incoming})
    request_id = reply.header("x-request-id")
    assert reply.status == 200 and is_uuid4(request_id), (
        f"[{framework}] GET /api/health with X-Request-ID: {incoming[:40]!r} answered "
        f"{shown(reply)}; an unsafe id is replaced by a fresh UUID4 — never echoed into our "
        "headers and logs (task 2, headers.request_id_from)"
    )
    assert (body_of(reply) or {}).get("request_id") == request_id, (
        f"[{framework}] the handler saw {body_of(reply)!r}, the response says X-Request-ID: "
        f"{request_id}; the handler gets the id the response carries, not the raw header "
        "(task 2)"
    )


ERRORS = [  # (method, path, headers, body, status, code): errors the framework or a view makes
    ("GET", "/api/no-such-route", {}, None, 404, "not_found"),
    ("DELETE", "/api/health", {}, None, 405, "method_not_allowed"),
    ("GET", "/api/markets/99", {}, None, 404, "not_found"),
    (
        "POST",
        "/api/auth/login",
        {"Content-Type": "text/plain"},
        b"{}",
        415,
        "unsupported_media_type",
    ),
    ("POST", "/api/auth/login", {"Content-Type": "application/json"}, b"{", 400, "invalid_json"),
    (
        "POST",
        "/api/auth/login",
        {"Content-Type": "application/json"},
        b'{"username": "ada", "password": "wrong"}',
        401,
        "invalid_credentials",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status", "code"),
    ERRORS,
    ids=[f"{status} {method} {path}" for method, path, _, _, status, _ in ERRORS],
)
def test_every_error_carries_the_id_in_its_header_and_its_envelope(
    api, framework, method, path, headers, body, status, code
) -> None:
    sent = {**headers, "X-Request-ID": "err-7"}
    reply = api("request_id").send(method, path, body=body, headers=sent)
    call = f"[{framework}] {method} {path} with X-Request-ID: err-7"
    assert reply.header("x-request-id") == "err-7", (
        f"{call} answered {shown(reply)}; every response carries the id, the framework's own "
        "404 and 405 included: put the middleware around the whole app, not one blueprint, "
        "router or view (task 2)"
    )
    error = expect_error(reply, status, code, call, task=2)
    assert error["request_id"] == "err-7", f"{call}: error.request_id is {error['request_id']!r}"


def test_successful_responses_carry_the_id_too(api, framework) -> None:
    client = api("request_id")
    for path in ("/api/markets", "/api/markets/1"):
        reply = client.get(path, headers={"X-Request-ID": "ok-1"})
        assert reply.status == 200 and reply.header("x-request-id") == "ok-1", (
            f"[{framework}] GET {path} with X-Request-ID: ok-1 answered {shown(reply)}; every "
            "response carries the id (task 2)"
        )
