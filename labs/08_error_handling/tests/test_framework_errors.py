"""Task 5: the errors each framework raises itself, and the headers some statuses must carry.

A router's 404, a 405, a body that is not JSON, a field that fails validation, a missing
token, a viewer's token, a fifth create a minute: in Django they are DRF's or Django's own
exceptions, in FastAPI Starlette's or the lab's, in Flask Werkzeug's or the lab's — and the
client sees one body, with `Allow`, `WWW-Authenticate` and `Retry-After` where they belong.
"""

from __future__ import annotations

import json

import pytest
from conftest import Clock
from expect import (
    CHALLENGE,
    EDITOR,
    PROBLEM,
    VIEWER,
    create,
    expect_envelope,
    expect_problem,
    market,
    shown,
)

from markets_errors.errors import (
    ContentTooLarge,
    MalformedJson,
    MethodNotAllowed,
    NotFound,
    PermissionDenied,
    RateLimited,
    Unauthorized,
    UnsupportedMediaType,
)
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(5)


@pytest.mark.parametrize("path", ["/nowhere", "/markets/abc", "/markets/0x1", "/markets/1/x"])
def test_a_url_no_route_matches_is_a_404_in_the_envelope(client: HttpClient, path: str) -> None:
    call = f"[{client.framework}] GET {path}"
    expect_envelope(
        client.get(path),
        404,
        "not_found",
        call,
        "no route matches: the framework's own 404 in the API's words (errors.http_error)",
        message=NotFound.default_message,
        task=5,
    )
    expect_problem(
        client.get(path, headers=PROBLEM),
        404,
        "not_found",
        call + " (Accept: application/problem+json)",
        "the router's 404 as a problem",
        detail=NotFound.default_message,
        instance=path,
        task=5,
    )


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/markets", {"POST"}),
        ("GET", "/markets", {"POST"}),
        ("PUT", "/markets/1", {"GET"}),
    ],
)
def test_a_method_the_path_does_not_serve_is_a_405_that_keeps_allow(
    client: HttpClient, method: str, path: str, allowed: set[str]
) -> None:
    call = f"[{client.framework}] {method} {path}"
    for headers in ({}, PROBLEM):
        reply = client.request(method, path, json={}, headers=headers)
        if headers:
            expect_problem(reply, 405, "method_not_allowed", call, "a 405", instance=path, task=5)
        else:
            expect_envelope(
                reply,
                405,
                "method_not_allowed",
                call,
                "the path exists, the method does not",
                message=MethodNotAllowed.default_message,
                task=5,
            )
        allow = {m.strip().upper() for m in (reply.header("Allow") or "").split(",") if m.strip()}
        assert allowed <= allow, (
            f"{call} answered 405 with Allow: {reply.header('Allow')!r}; a 405 MUST list the "
            f"methods the path serves (RFC 9110 §15.5.6), here {sorted(allowed)}: keep the "
            "framework's Allow header when you re-render its error (task 5)"
        )


@pytest.mark.parametrize(
    "raw",
    ['{"name": ', "", "[]", '"market"', "null", b"\xff\xfe", '{"a":' * 10_000 + "1" + "}" * 10_000],
    ids=["broken", "empty", "list", "string", "null", "not-utf8", "deep"],
)
def test_a_body_that_is_not_one_json_object_is_400_invalid_json(
    client: HttpClient, raw: str | bytes
) -> None:
    reply = client.post("/markets", raw=raw, headers=EDITOR)
    expect_envelope(
        reply,
        400,
        "invalid_json",
        f"[{client.framework}] POST /markets with the body {raw[:20]!r}",
        "the framework's parse error (DRF's ParseError, Werkzeug's BadRequest, FastAPI's "
        "json_invalid) is the API's MalformedJson",
        message=MalformedJson.default_message,
        task=5,
    )


def test_invalid_fields_are_400_validation_failed_naming_each_field(client: HttpClient) -> None:
    call = f"[{client.framework}] POST /markets with a bad slug, a wrong tag type and an id"
    body = {"name": "Rain", "slug": "Not A Slug", "tag": 7, "id": 3}
    reply = create(client, body, **EDITOR)
    error = expect_envelope(
        reply,
        400,
        "validation_failed",
        call,
        "never FastAPI's 422: one status for bad input in every framework",
        any_details=True,
        task=5,
    )
    assert set(error["details"]) == {"slug", "tag", "id"}, (
        f"{call} answered details {error['details']}; a 400 names every bad field — here "
        "slug, tag and id (read-only) — each mapped to a list of messages (task 5)"
    )
    assert error["details"]["id"] == ["This field is read-only."], error["details"]
    assert all(
        isinstance(m, list) and m and all(isinstance(x, str) for x in m)
        for m in error["details"].values()
    ), f"{call}: details map each field to a list of strings, got {error['details']} (task 5)"
    problem = expect_problem(
        create(client, body, **EDITOR, **PROBLEM),
        400,
        "validation_failed",
        call + " (Accept: application/problem+json)",
        "the same 400 as a problem",
        instance="/markets",
        task=5,
    )
    pointers = {entry["pointer"] for entry in problem.get("errors", [])}
    assert pointers == {"#/slug", "#/tag", "#/id"}, (
        f"{call} answered errors {problem.get('errors')}; one entry per message, pointing at "
        "#/slug, #/tag and #/id (task 5)"
    )


@pytest.mark.parametrize("content_type", ["text/plain", "application/vnd.evil+json", None])
def test_a_body_not_sent_as_json_is_415(client: HttpClient, content_type: str | None) -> None:
    headers = dict(EDITOR)
    if content_type is not None:
        headers["Content-Type"] = content_type
    reply = client.send("POST", "/markets", body=b'{"name": "Rain"}', headers=headers)
    expect_envelope(
        reply,
        415,
        "unsupported_media_type",
        f"[{client.framework}] POST /markets with Content-Type: {content_type}",
        "only application/json is read",
        message=UnsupportedMediaType.default_message,
        task=5,
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer stolen"}, {"Authorization": "Basic abc"}],
    ids=["no-token", "unknown-token", "other-scheme"],
)
def test_no_or_a_bad_token_is_a_401_with_its_challenge(
    client: HttpClient, headers: dict[str, str]
) -> None:
    call = f"[{client.framework}] POST /markets with {headers or 'no Authorization'}"
    for extra in ({}, PROBLEM):
        reply = create(client, **headers, **extra)
        if extra:
            expect_problem(reply, 401, "unauthorized", call, "a 401", instance="/markets", task=5)
        else:
            expect_envelope(
                reply,
                401,
                "unauthorized",
                call,
                "the token is missing or unknown (DRF: NotAuthenticated / AuthenticationFailed)",
                message=Unauthorized.default_message,
                task=5,
            )
        assert reply.header("WWW-Authenticate") == CHALLENGE, (
            f"{call} answered {shown(reply)} with WWW-Authenticate: "
            f"{reply.header('WWW-Authenticate')!r}; a 401 MUST carry the challenge "
            f"{CHALLENGE!r} (RFC 9110 §15.5.2) — DRF puts it on the exception as auth_header "
            "and its default handler copies it; a handler of your own must too (task 5)"
        )


def test_a_viewer_is_403_permission_denied(client: HttpClient) -> None:
    expect_envelope(
        create(client, **VIEWER),
        403,
        "permission_denied",
        f"[{client.framework}] POST /markets with a viewer's token",
        "authenticated, but not allowed to create",
        message=PermissionDenied.default_message,
        task=5,
    )


def test_past_the_create_limit_is_429_with_retry_after(client: HttpClient, clock: Clock) -> None:
    call = f"[{client.framework}] a 4th POST /markets within 60 s"
    for n in range(3):
        ok = create(client, market(slug=f"m-{n}"), **EDITOR)
        assert ok.status == 201, f"[{client.framework}] create {n + 1} of 3 answered {shown(ok)}"
    clock.advance(20.5)  # 39.5 s of the window left
    for extra in ({}, PROBLEM):
        reply = create(client, market(slug="m-4"), **EDITOR, **extra)
        if extra:
            expect_problem(reply, 429, "rate_limited", call, "a 429", instance="/markets", task=5)
        else:
            expect_envelope(
                reply,
                429,
                "rate_limited",
                call,
                "3 creates per 60 s per token (DRF: Throttled)",
                message=RateLimited.default_message,
                task=5,
            )
        assert reply.header("Retry-After") == "40", (
            f"{call}, 39.5 s before the window ends, answered {shown(reply)} with Retry-After: "
            f"{reply.header('Retry-After')!r}; expected '40' — whole seconds, rounded up (DRF "
            "puts the wait on Throttled as exc.wait; its default handler copies it, yours must) "
            "(task 5)"
        )
    clock.advance(40)
    again = create(client, market(slug="m-5"), **EDITOR)
    assert again.status == 201, f"{call}: once the window ended, answered {shown(again)}"


def _body_of(size: int) -> bytes:
    """A JSON object of exactly `size` bytes: a market whose name is too long."""
    frame = json.dumps({"name": "", "slug": "big", "tag": "weather"}).encode()
    return frame.replace(b'""', b'"' + b"x" * (size - len(frame)) + b'"', 1)


def test_a_body_over_the_limit_is_413_in_every_framework(client: HttpClient) -> None:
    from markets_errors.schemas import MAX_BODY_BYTES

    headers = {**EDITOR, "Content-Type": "application/json"}
    at_limit = client.send("POST", "/markets", body=_body_of(MAX_BODY_BYTES), headers=headers)
    expect_envelope(
        at_limit,
        400,
        "validation_failed",
        f"[{client.framework}] POST /markets with a body of exactly {MAX_BODY_BYTES} bytes",
        "a body at the limit is read and validated: its name is too long",
        any_details=True,
        task=5,
    )
    over = _body_of(MAX_BODY_BYTES + 1)
    call = f"[{client.framework}] POST /markets with a body of {len(over)} bytes (the limit + 1)"
    for extra in ({}, PROBLEM):
        reply = client.send("POST", "/markets", body=over, headers={**headers, **extra})
        if extra:
            expect_problem(reply, 413, "content_too_large", call, "a 413", instance="/markets",
                           task=5)  # fmt: skip
        else:
            expect_envelope(
                reply,
                413,
                "content_too_large",
                call,
                "each app reads at most schemas.MAX_BODY_BYTES (Flask: MAX_CONTENT_LENGTH, "
                "FastAPI: the given BodyLimit, Django: DATA_UPLOAD_MAX_MEMORY_SIZE) and refuses "
                "more with a 413 in the API's words. Django raises RequestDataTooBig when the "
                "view reads request.body: not a DRF exception, so left alone it becomes "
                "Django's HTML 400 page — answer ContentTooLarge() for it in exception_handler",
                message=ContentTooLarge.default_message,
                task=5,
            )


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/markets/1/"), ("GET", "/markets//1"), ("GET", "//markets/1"), ("POST", "/markets/")],
)
def test_a_url_one_slash_off_is_a_404_never_a_redirect(
    client: HttpClient, method: str, path: str
) -> None:
    made = create(client, **EDITOR)
    assert made.status == 201, f"[{client.framework}] POST /markets answered {shown(made)}"
    reply = client.request(method, path, json=market(slug="other"), headers=EDITOR)
    call = f"[{client.framework}] {method} {path} (market 1 exists)"
    assert reply.header("Location") is None, (
        f"{call} answered {shown(reply)} with Location: {reply.header('Location')!r}; the API "
        "names each resource by one URL and never redirects: a redirect has an HTML body, "
        "and a client may replay a POST to the new URL or drop it (given: FastAPI's "
        "redirect_slashes=False, Flask's url_map.merge_slashes = False) (task 5)"
    )
    expect_envelope(
        reply,
        404,
        "not_found",
        call,
        "no route names this URL: the router's 404, in the three frameworks alike",
        message=NotFound.default_message,
        task=5,
    )
