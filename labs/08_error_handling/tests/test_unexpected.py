"""Task 6: a bug is a 500 that reveals nothing, logged exactly once — traceback and request id.

The service is made to raise what a real outage raises: an exception whose text holds a
password and the SQL that failed. The client must see none of it; the log must hold it all,
once. Each framework also logs by default (Django's "django.request", Flask's "Exception
on …", the ASGI server's "Exception in ASGI application"): one line, not two, not none.
"""

from __future__ import annotations

from typing import Any

import pytest
from expect import (
    PROBLEM,
    described,
    errors_logged,
    expect_envelope,
    expect_problem,
    leaked,
    shown,
)

from markets_errors.errors import InternalError
from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(6)

SECRET = "postgresql://markets:hunter2@db.internal/markets"
SQL = "SELECT password_hash FROM users WHERE id = 7"
LEAKS = ("hunter2", "password_hash", "SELECT", "db.internal", "Traceback", "File \"", "Outage",
         "line ")  # fmt: skip


class Outage(RuntimeError):
    pass


@pytest.fixture
def broken(client: HttpClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """GET /markets/<id> raises Outage(<a secret and SQL>) inside the service."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise Outage(f"connection to {SECRET} lost during {SQL}")

    if client.framework == "django":  # importing Django's models needs Django set up
        from markets_errors.django_app import services
    else:
        from markets_errors import db as services

    monkeypatch.setattr(services, "get_market", fail)


def test_a_bug_is_a_generic_500_in_the_envelope(client: HttpClient, broken: None) -> None:
    call = f"[{client.framework}] GET /markets/1 while the service raises Outage('…{SQL}')"
    reply = client.get("/markets/1")
    shows = leaked(reply, LEAKS)
    assert not shows, (
        f"{call} answered {shown(reply)} with headers {reply.headers}; it shows {shows}: a 500 "
        "reveals nothing — no exception text, no class name, no SQL, no traceback, in the body "
        "or in a header (an X-Error-Type: Outage tells an attacker what broke). The details "
        "belong in the log (task 6)"
    )
    expect_envelope(
        reply,
        500,
        "internal_error",
        call,
        "an exception no handler expects is a bug: InternalError's generic 500, never a 200, "
        "never the framework's HTML page",
        message=InternalError.default_message,
        task=6,
    )


def test_a_bug_as_problem_json(client: HttpClient, broken: None) -> None:
    call = f"[{client.framework}] GET /markets/1 (Accept: application/problem+json), a bug"
    reply = client.get("/markets/1", headers=PROBLEM)
    shows = leaked(reply, LEAKS)
    assert not shows, (
        f"{call} answered {shown(reply)} with headers {reply.headers}; it shows {shows}, in the "
        "body or a header (task 6)"
    )
    expect_problem(
        reply,
        500,
        "internal_error",
        call,
        "the generic 500 as a problem",
        detail=InternalError.default_message,
        instance="/markets/1",
        task=6,
    )


def test_a_bug_is_logged_exactly_once_with_traceback_and_request_id(
    client: HttpClient, broken: None, caplog: pytest.LogCaptureFixture
) -> None:
    call = f"[{client.framework}] GET /markets/1 while the service raises Outage"
    caplog.clear()
    reply = client.get("/markets/1", headers={"X-Request-ID": "bug-report-1"})
    assert reply.status == 500, f"{call} answered {shown(reply)}; expected 500 (task 6)"
    logged = errors_logged(caplog.records)
    assert len(logged) == 1, (
        f"{call} logged {len(logged)} records at ERROR or above: {described(logged)}. A bug "
        "is logged exactly once: never (a swallowed exception) means nobody learns of it; twice "
        "means one incident pages twice. The framework logs it too unless told otherwise — "
        "Django on 'django.request' when EXCEPTION_HANDLER returns None, Flask when no handler "
        "took the exception, the ASGI server when the app re-raises it (task 6)"
    )
    record = logged[0]
    exc = record.exc_info[1] if record.exc_info else None
    assert isinstance(exc, Outage) and exc.__traceback__ is not None, (
        f"{call} logged {described(logged)}; the one record carries the exception with its "
        "traceback (exc_info), or no one can find the line that failed (task 6)"
    )
    assert getattr(record, "request_id", None) == "bug-report-1", (
        f"{call} (X-Request-ID: bug-report-1) logged {described(logged)}; the record carries "
        "this request's id as record.request_id — log it through the given logger "
        "(request_id.log) inside the request, where the id is bound: the id a client quotes "
        "from the 500's body finds this line (task 6)"
    )
