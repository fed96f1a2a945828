"""Task 3 (FastAPI, Flask): one session per request, committed before the response, on success.

Django needs nothing here: `ATOMIC_REQUESTS` (the lab's conftest.py) runs each request in one
transaction, committed when the view returns a response — task 4 shows its trap.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from expect import EDITOR, create, market, shown

from patterns_workbook.testing.http import HttpClient

pytestmark = pytest.mark.task(3)

SQLALCHEMY_APPS = [
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


@pytest.fixture(params=SQLALCHEMY_APPS)
def http(request: pytest.FixtureRequest, sessions: Any, as_client: Any) -> Iterator[HttpClient]:
    if request.param == "fastapi":
        app, client = request.getfixturevalue("fastapi_app_and_client")
        app.state.sessions = sessions
        yield client
    else:
        from markets_errors.flask_app import SESSIONS

        app = request.getfixturevalue("flask_app")
        app.extensions[SESSIONS] = sessions
        yield as_client(app)


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


def test_a_commit_that_fails_is_a_500_never_a_201(http: HttpClient, sessions: Any) -> None:
    from sqlalchemy import event

    def fail(connection: Any) -> None:
        raise ConnectionError("the database went away during COMMIT")

    engine = sessions.kw["bind"]
    event.listen(engine, "commit", fail)
    try:
        reply = create(http, market(), **EDITOR)
    finally:
        event.remove(engine, "commit", fail)
    assert reply.status == 500, (
        f"[{http.framework}] POST /markets, while COMMIT fails, answered {shown(reply)}; a create "
        "is answered after its commit, so a failed commit is a 500, never a 201 for a market "
        "that is not stored — commit before the response goes out (Flask: after_request, not "
        'teardown_request; FastAPI: the given scope="function") (task 3)'
    )
    assert _stored(sessions) == {"tags": 0, "markets": 0}, (
        f"[{http.framework}] after a failed commit the database holds {_stored(sessions)} (task 3)"
    )
