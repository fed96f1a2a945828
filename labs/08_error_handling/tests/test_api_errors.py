"""Task 4: an ApiError a view raises, answered by one handler per framework, alike in all three.

Each test runs in Django, FastAPI and Flask and expects the same status and body in each.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from expect import EDITOR, PROBLEM, create, expect_envelope, expect_problem, market, shown

from patterns_workbook.testing.http import HttpClient

Stored = Callable[[], dict[str, int]]
pytestmark = pytest.mark.task(4)


def test_not_found_is_a_404_in_the_envelope(client: HttpClient) -> None:
    reply = client.get("/markets/999")
    expect_envelope(
        reply,
        404,
        "not_found",
        f"[{client.framework}] GET /markets/999",
        "the service raised NotFound('No market with id 999.'): its status, code and message",
        message="No market with id 999.",
        task=4,
    )


def test_not_found_as_problem_json_when_asked(client: HttpClient) -> None:
    reply = client.get("/markets/999", headers=PROBLEM)
    body = expect_problem(
        reply,
        404,
        "not_found",
        f"[{client.framework}] GET /markets/999 (Accept: application/problem+json)",
        "the same NotFound, rendered as RFC 9457 problem details",
        detail="No market with id 999.",
        instance="/markets/999",
        task=4,
    )
    assert "errors" not in body, f"a NotFound names no field, so no 'errors': {body} (task 4)"


def test_conflict_names_the_field_in_both_formats(client: HttpClient) -> None:
    call = f"[{client.framework}] POST /markets with a taken slug"
    first = create(client, **EDITOR)
    assert first.status == 201, f"[{client.framework}] POST /markets answered {shown(first)}"
    taken = "The slug 'rain-lisbon' is already taken."
    expect_envelope(
        create(client, market(tag="other"), **EDITOR),
        409,
        "conflict",
        call,
        "the service raised Conflict with details={'slug': [...]}",
        message=taken,
        details={"slug": [taken]},
        task=4,
    )
    body = expect_problem(
        create(client, market(tag="other"), **EDITOR, **PROBLEM),
        409,
        "conflict",
        call + " (Accept: application/problem+json)",
        "the same Conflict as a problem",
        detail=taken,
        instance="/markets",
        task=4,
    )
    assert body.get("errors") == [{"pointer": "#/slug", "detail": taken}], (
        f"{call} answered errors {body.get('errors')}; the problem points at the field (task 4)"
    )


def test_the_request_id_in_the_body_is_the_one_the_client_sent(client: HttpClient) -> None:
    reply = client.get("/markets/999", headers={"X-Request-ID": "trace-42.a_b"})
    error = expect_envelope(
        reply, 404, "not_found", f"[{client.framework}] GET /markets/999", "NotFound", task=4
    )
    assert error["request_id"] == "trace-42.a_b", (
        f"[{client.framework}] GET /markets/999 with X-Request-ID: trace-42.a_b answered "
        f"request_id {error['request_id']!r}; the middleware keeps a safe id the client sent, "
        "so the body quotes it: read it from the request, never mint one in the handler (task 4)"
    )


@pytest.mark.parametrize("sent", ["has space", "x" * 65, "new\\nline", "<script>"])
def test_an_unsafe_request_id_is_replaced_not_echoed(client: HttpClient, sent: str) -> None:
    reply = client.get("/markets/999", headers={"X-Request-ID": sent})
    error = expect_envelope(
        reply, 404, "not_found", f"[{client.framework}] GET /markets/999", "NotFound", task=4
    )
    assert sent not in reply.text, (
        f"[{client.framework}] GET /markets/999 with X-Request-ID: {sent!r} echoed it back: "
        "the middleware replaced it; the body must carry the replacement (task 4)"
    )
    assert error["request_id"] != sent


def test_every_framework_answers_the_same_bytes_for_the_same_error(
    client: HttpClient, as_client: Callable[..., HttpClient]
) -> None:
    reply = client.get("/markets/999", headers={"X-Request-ID": "same-id"})
    expected = (
        b'{"error": {"code": "not_found", "message": "No market with id 999.", "details": {}, '
        b'"request_id": "same-id"}}'
    )
    import json

    assert json.loads(reply.body) == json.loads(expected), (
        f"[{client.framework}] GET /markets/999 answered {shown(reply)}; every framework sends "
        f"this body for this error: {expected.decode()} (task 4)"
    )
    assert reply.header("Vary") is not None and "accept" in reply.header("Vary").lower(), (
        f"[{client.framework}] GET /markets/999 answered headers {reply.headers}; an error "
        "response carries render()'s headers, Vary: Accept among them (task 4)"
    )


def test_a_handled_conflict_rolls_back_what_the_request_wrote(
    client: HttpClient, stored: Stored
) -> None:
    first = create(client, market(slug="rain", tag="weather"), **EDITOR)
    assert first.status == 201, f"[{client.framework}] the first create answered {shown(first)}"
    before = stored()
    assert before == {"tags": 1, "markets": 1}, (
        f"[{client.framework}] after one 201 the database holds {before}; a success is committed "
        "(task 4)"
    )
    reply = create(client, market(slug="rain", tag="brand-new-tag"), **EDITOR)
    assert reply.status == 409, f"[{client.framework}] the taken slug answered {shown(reply)}"
    after = stored()
    assert after == before, (
        f"[{client.framework}] POST /markets with a taken slug and a new tag answered 409, and the "
        f"database went from {before} to {after}: the service wrote the tag, then raised "
        "Conflict, and the request's transaction committed the half-done create because a "
        "handler had turned the exception into a response. Roll back every error response: "
        "Django — DRF's set_rollback() in EXCEPTION_HANDLER, as DRF's default handler does "
        "(task 4); Flask — commit only a response under 400; FastAPI — let the exception "
        "reach the session dependency (task 3)"
    )


def test_no_request_id_stays_bound_after_the_request(client: HttpClient) -> None:
    from markets_errors.request_id import current

    client.get("/markets/999", headers={"X-Request-ID": "gone-after"})
    assert current.get() is None, (
        f"[{client.framework}] after GET /markets/999 the context variable request_id.current "
        f"still holds {current.get()!r}: the id is bound for the request only — a log line "
        "written later, outside any request, would carry another request's id. The given "
        "hooks unbind it; keep them registered (task 4)"
    )


@pytest.mark.parametrize("path", ["/markets/999", "/nowhere"])
def test_a_problems_instance_is_the_path_without_the_query_string(
    client: HttpClient, path: str
) -> None:
    sent = f"{path}?token=secret-t0ken&x=1"
    call = f"[{client.framework}] GET {sent} (Accept: application/problem+json)"
    reply = client.get(sent, headers=PROBLEM)
    assert "secret-t0ken" not in reply.text, (
        f"{call} answered {shown(reply)}; the body repeats the query string: a token sent "
        "in the URL (or any personal data there) lands in every log and error tracker that "
        "stores the body. `instance` is the request's path only (Django: request.path, not "
        "get_full_path(); FastAPI: request.url.path; Flask: request.path) (task 4)"
    )
    expect_problem(
        reply,
        404,
        "not_found",
        call,
        "instance is the path, the same in the three frameworks",
        instance=path,
        task=4,
    )
