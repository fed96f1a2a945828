"""Task 3 (FastAPI, Flask): one session per request, committed before the response, on success.

Django needs nothing here: `ATOMIC_REQUESTS` (the lab's conftest.py) runs each request in one
transaction, committed when the view returns a response — task 4 shows its trap.
"""

from __future__ import annotations

from typing import Any

import pytest
from expect import (
    EDITOR,
    create,
    described,
    errors_logged,
    expect_envelope,
    leaked,
    market,
    shown,
)

from markets_errors.errors import InternalError
from patterns_workbook.testing.http import HttpClient, Reply

pytestmark = pytest.mark.task(3)

SQLALCHEMY_APPS = [
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


@pytest.fixture(params=SQLALCHEMY_APPS)
def served(request: pytest.FixtureRequest, sessions: Any, as_client: Any) -> tuple[Any, HttpClient]:
    """(the app, an HttpClient on it), the app's sessions from the `sessions` fixture."""
    if request.param == "fastapi":
        app, client = request.getfixturevalue("fastapi_app_and_client")
    else:
        app = request.getfixturevalue("flask_app")
        client = as_client(app)
    _use(app, sessions)
    return app, client


@pytest.fixture
def http(served: tuple[Any, HttpClient]) -> HttpClient:
    return served[1]


def _use(app: Any, sessions: Any) -> None:
    if hasattr(app, "extensions"):  # Flask (imported only there: the FastAPI track skips it)
        from markets_errors.flask_app import SESSIONS

        app.extensions[SESSIONS] = sessions
    else:
        app.state.sessions = sessions


def _stored(sessions: Any) -> dict[str, int]:
    from markets_errors.db import count_rows

    with sessions() as session:
        return count_rows(session)


def test_each_success_is_committed(http: HttpClient, sessions: Any) -> None:
    for n in range(2):
        reply = create(http, market(slug=f"m-{n}", tag=f"t-{n}"), **EDITOR)
        assert reply.status == 201, f"[{http.framework}] create {n} answered {shown(reply)}"
        got = http.get(f"/markets/{reply.json()['id']}")
        assert got.status == 200, (
            f"[{http.framework}] GET of the market just created answered {shown(got)}: was "
            "the create committed? (task 3)"
        )
    assert _stored(sessions) == {"tags": 2, "markets": 2}, (
        f"[{http.framework}] after two 201s the database holds {_stored(sessions)}; each "
        "success is committed (task 3)"
    )


def _create_while_commit_fails(http: HttpClient, sessions: Any) -> Reply:
    """POST /markets (X-Request-ID: commit-1) while every COMMIT raises ConnectionError."""
    from sqlalchemy import event

    def fail(connection: Any) -> None:
        raise ConnectionError("the database went away during COMMIT")

    engine = sessions.kw["bind"]
    event.listen(engine, "commit", fail)
    try:
        return create(http, market(), **EDITOR, **{"X-Request-ID": "commit-1"})
    finally:
        event.remove(engine, "commit", fail)


def test_a_commit_that_fails_is_a_500_never_a_201(http: HttpClient, sessions: Any) -> None:
    reply = _create_while_commit_fails(http, sessions)
    assert reply.status == 500, (
        f"[{http.framework}] POST /markets, while COMMIT fails, answered {shown(reply)}; a create "
        "is answered after its commit, so a failed commit is a 500, never a 201 for a market "
        "that is not stored — commit before the response goes out (Flask: after_request, not "
        'teardown_request; FastAPI: the given scope="function") (task 3)'
    )
    assert _stored(sessions) == {"tags": 0, "markets": 0}, (
        f"[{http.framework}] after a failed commit the database holds {_stored(sessions)} (task 3)"
    )


@pytest.mark.task(6)
def test_a_commit_that_fails_is_a_bugs_500_logged_once(
    http: HttpClient, sessions: Any, caplog: pytest.LogCaptureFixture
) -> None:
    call = f"[{http.framework}] POST /markets (X-Request-ID: commit-1) while COMMIT fails"
    caplog.clear()
    reply = _create_while_commit_fails(http, sessions)
    shows = leaked(reply, ("went away", "COMMIT", "ConnectionError"))
    assert not shows, (
        f"{call} answered {shown(reply)} with headers {reply.headers}; it shows {shows}: a "
        "failed commit is a bug's 500 like any other — InternalError(), never an ApiError "
        "carrying the driver's text (in production: hosts, SQL). Let the exception leave "
        "the session code; the server-error path answers and logs it (tasks 3, 6)"
    )
    expect_envelope(
        reply,
        500,
        "internal_error",
        call,
        "the generic 500, whatever failed",
        message=InternalError.default_message,
        task=6,
    )
    logged = errors_logged(caplog.records)
    exc = logged[0].exc_info[1] if len(logged) == 1 and logged[0].exc_info else None
    assert isinstance(exc, ConnectionError) and exc.__traceback__ is not None, (
        f"{call} logged {len(logged)} records at ERROR: {described(logged)}; expected exactly "
        "one, with the ConnectionError's traceback: caught and answered without a log, nobody "
        "learns the database refused the write; logged by you and re-raised, the framework logs "
        "it again — one incident, two pages (tasks 3, 6)"
    )
    assert getattr(logged[0], "request_id", None) == "commit-1", (
        f"{call} logged {described(logged)}; the record carries this request's id (task 6)"
    )


def test_every_session_opened_is_closed(
    served: tuple[Any, HttpClient], sessions: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.orm import Session, sessionmaker

    opened: list[Session] = []
    closed: list[Session] = []

    class Tracked(Session):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            opened.append(self)

        def close(self) -> None:
            closed.append(self)
            super().close()

    app, http = served
    _use(app, sessionmaker(sessions.kw["bind"], class_=Tracked))
    create(http, market(), **EDITOR)  # 201
    create(http, market(tag="other"), **EDITOR)  # 409, a handled error
    from markets_errors import db

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(db, "get_market", fail)
    http.get("/markets/1")  # 500, a bug
    assert len(opened) == 3 and set(map(id, closed)) == set(map(id, opened)), (
        f"[{http.framework}] three requests (a 201, a 409, a 500) opened {len(opened)} sessions "
        f"and closed {len(set(map(id, closed)))}: each request's session is closed whatever "
        "happened, or the connection pool runs dry one error at a time (task 3)"
    )


@pytest.mark.parametrize("framework", SQLALCHEMY_APPS)
def test_an_app_built_without_a_sessionmaker_has_a_database_of_its_own(
    framework: str, as_client: Any
) -> None:
    if framework == "fastapi":
        from markets_errors.fastapi_app import create_app
    else:
        from markets_errors.flask_app import create_app  # type: ignore[assignment]
    with as_client(create_app()) as client:
        made = create(client, market(), **EDITOR)
        got = client.get(f"/markets/{made.json()['id']}") if made.status == 201 else made
    assert (made.status, got.status) == (201, 200), (
        f"[{framework}] create_app() with no sessionmaker answered a create with {shown(made)} "
        f"and the read back with {shown(got)}: it serves a fresh in-memory database (task 3)"
    )


@pytest.mark.flask
@pytest.mark.parametrize(
    ("status", "commits"),
    [(200, True), (201, True), (204, True), (399, True), (400, False), (409, False), (500, False)],
)
def test_flask_commits_a_response_under_400_and_rolls_back_the_rest(
    status: int, commits: bool
) -> None:
    from unittest.mock import Mock

    from flask import Response, g

    from markets_errors.flask_app import create_app, finish_session

    with create_app().test_request_context("/markets"):
        g.session = session = Mock()
        returned = finish_session(Response(status=status))
    done = (
        "commit" if session.commit.called else "rollback" if session.rollback.called else "neither"
    )
    assert done == ("commit" if commits else "rollback") and returned.status_code == status, (
        f"finish_session(<a {status} response>) called {done} on the session; a response under "
        "400 is a success and commits, any other — a handled error included — rolls back "
        "(task 3)"
    )
