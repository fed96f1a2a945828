"""FastAPI and Flask receive the repository per request (task 6).

Endpoints never see a session: `get_repository` opens one per request, wraps it in the
SQLAlchemy repository, commits only a success (no exception, status below 400) before the
response is sent, and always closes the session. Test-only endpoints write and then raise,
answer 400/409, or meet a commit that fails; the hostile-input battery runs over every route.
"""

# No `from __future__ import annotations`: the FastAPI endpoints below are defined inside a
# function, and FastAPI reads their annotations as objects — so FastAPI is imported only where
# it is used, and the Flask track's run never pays for it.
from typing import Any

import pytest
from conftest import seed_sqlalchemy
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from markets_repository.http_json import ApiError, error_json
from markets_repository.sqlalchemy_orm.models import MarketRow
from patterns_workbook.testing import hostile
from patterns_workbook.testing.hostile import Route


class TrackedSession(Session):
    """A Session that records its own opening and closing, to prove none is left open."""

    opened: list["TrackedSession"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opened.append(self)
        self.closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


@pytest.fixture
def web(sa_engine: Any) -> dict[str, Any]:
    """A committed database and a session factory whose sessions are tracked."""
    session_class = type("Tracked", (TrackedSession,), {"opened": []})
    with sessionmaker(sa_engine).begin() as session:
        ids = seed_sqlalchemy(session)
    return {
        "engine": sa_engine,
        "factory": sessionmaker(sa_engine, class_=session_class),
        "ids": ids,
    }


FAILING_DELETE = "/failing/markets/{id}"  # deletes through the repository, then raises
TWICE_DELETE = "/twice/markets/{id}"  # asks for the repository twice in one request
REFUSING_DELETE = "/refusing/{how}/{status}/markets/{id}"  # deletes, then answers a 4xx


def make_app(framework: str, factory: Any) -> Any:
    """The lab's app, plus test-only endpoints that write and then fail or answer an error."""
    if framework == "fastapi":
        from fastapi import Response

        from markets_repository.fastapi_app import Repository
        from markets_repository.fastapi_app import create_app as create_fastapi_app

        app = create_fastapi_app(factory)

        @app.delete(FAILING_DELETE.replace("{id}", "{market_id}"))
        def delete_then_fail(market_id: int, repository: Repository) -> None:
            repository.delete(market_id)
            raise RuntimeError("the endpoint failed after deleting")

        @app.delete(REFUSING_DELETE.replace("{id}", "{market_id}"))
        def delete_then_refuse(
            how: str, status: int, market_id: int, response: Response, repository: Repository
        ) -> dict[str, Any]:
            repository.delete(market_id)
            body = error_json("refused", "deleted, then refused")
            if how == "raised":
                raise ApiError(status, body)
            response.status_code = status  # FastAPI's way to answer a status without raising
            return body

        @app.delete(TWICE_DELETE.replace("{id}", "{market_id}"), status_code=204)
        def delete_through_two_repositories(
            market_id: int, first: Repository, second: Repository
        ) -> None:
            first.delete(market_id)
            assert second.get(market_id) is None, "the second repository still sees the market"

        return app
    from flask import jsonify

    from markets_repository.flask_app import create_app as create_flask_app
    from markets_repository.flask_app import get_repository as flask_repository

    app = create_flask_app(factory)

    def flask_delete_then_fail(market_id: int) -> None:
        flask_repository().delete(market_id)
        raise RuntimeError("the endpoint failed after deleting")

    def flask_delete_then_refuse(how: str, status: int, market_id: int) -> Any:
        flask_repository().delete(market_id)
        body = error_json("refused", "deleted, then refused")
        if how == "raised":
            raise ApiError(status, body)
        return jsonify(body), status

    def flask_delete_through_two_repositories(market_id: int) -> tuple[str, int]:
        flask_repository().delete(market_id)
        assert flask_repository().get(market_id) is None, "the second call still sees it"
        return "", 204

    rule = TWICE_DELETE.replace("{id}", "<int:market_id>")
    app.add_url_rule(rule, view_func=flask_delete_through_two_repositories, methods=["DELETE"])
    rule = FAILING_DELETE.replace("{id}", "<int:market_id>")
    app.add_url_rule(rule, view_func=flask_delete_then_fail, methods=["DELETE"])
    rule = REFUSING_DELETE.format(how="<how>", status="<int:status>", id="<int:market_id>")
    app.add_url_rule(rule, view_func=flask_delete_then_refuse, methods=["DELETE"])
    return app


@pytest.fixture(
    params=[
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ]
)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def client(framework: str, web: dict[str, Any], as_client: Any) -> Any:
    return as_client(make_app(framework, web["factory"]))


def market_slugs(engine: Any, market_id: int) -> list[str]:
    """What a new session, outside the request, finds under this id: committed work only."""
    with Session(engine) as fresh:
        return list(fresh.scalars(select(MarketRow.slug).where(MarketRow.id == market_id)))


@pytest.mark.task(6)
def test_get_reads_the_market_through_the_request_repository(client: Any, web: dict) -> None:
    market_id = web["ids"]["rain-lisbon"]
    reply = client.get(f"/markets/{market_id}")
    assert reply.status == 200, (
        f"[{client.framework}] GET /markets/{market_id} answered {reply.status}: "
        f"{reply.text[:300]}; get_repository should hand the endpoint a "
        "SqlAlchemyMarketRepository over a new session (task 6)"
    )
    body = reply.json()
    expected = {"slug": "rain-lisbon", "volume": "120.50", "creator": "alice", "tags": ["weather"]}
    assert {key: body.get(key) for key in expected} == expected, (
        f"[{client.framework}] GET /markets/{market_id} returned {body}; expected {expected} "
        "(task 6)"
    )


@pytest.mark.task(6)
def test_get_missing_market_answers_404_in_the_error_envelope(client: Any) -> None:
    reply = client.get("/markets/999")
    assert reply.status == 404 and reply.json()["error"]["code"] == "not_found", (
        f"[{client.framework}] GET /markets/999 answered {reply.status}: {reply.text[:300]}; "
        "expected 404 with the not_found error envelope (task 6)"
    )


@pytest.mark.task(6)
def test_delete_is_committed_when_the_request_succeeds(client: Any, web: dict) -> None:
    market_id = web["ids"]["eth-5k"]
    reply = client.delete(f"/markets/{market_id}")
    assert reply.status == 204, (
        f"[{client.framework}] DELETE /markets/{market_id} answered {reply.status}: "
        f"{reply.text[:300]} (task 6)"
    )
    still_there = market_slugs(web["engine"], market_id)
    assert still_there == [], (
        f"[{client.framework}] DELETE answered 204 but a new session still sees {still_there}; "
        "get_repository must commit the request's work when the endpoint succeeds (task 6)"
    )


@pytest.mark.task(6)
def test_every_request_session_is_closed(client: Any, web: dict) -> None:
    market_id = web["ids"]["btc-100k"]
    statuses = [
        client.get(f"/markets/{market_id}").status,
        client.get("/markets/999").status,
        client.delete(f"/markets/{market_id}").status,
    ]
    sessions = web["factory"].class_.opened
    assert statuses == [200, 404, 204] and len(sessions) == 3, (
        f"[{client.framework}] GET, GET missing, DELETE answered {statuses} and opened "
        f"{len(sessions)} sessions; expected [200, 404, 204] and one session per request "
        "(task 6)"
    )
    left_open = sum(not s.closed for s in sessions)
    assert left_open == 0, (
        f"[{client.framework}] {left_open} of {len(sessions)} request sessions were never "
        "closed; an unclosed session holds its connection until the pool runs dry (task 6)"
    )


@pytest.mark.task(6)
def test_a_failing_request_commits_nothing_and_still_closes_its_session(
    client: Any, web: dict
) -> None:
    market_id = web["ids"]["eth-5k"]
    path = FAILING_DELETE.format(id=market_id)
    reply = client.delete(path)
    still_there = market_slugs(web["engine"], market_id)
    assert reply.status == 500 and still_there == ["eth-5k"], (
        f"[{client.framework}] DELETE {path}, an endpoint that deletes market {market_id} "
        f"through the request's repository and then raises, answered {reply.status}, and a new "
        f"session then finds {still_there}; expected 500 and ['eth-5k']: a request that fails "
        "commits nothing — its transaction rolls back, only a success commits (task 6)"
    )
    sessions = web["factory"].class_.opened
    assert len(sessions) == 1 and sessions[0].closed, (
        f"[{client.framework}] DELETE {path} raised, and {len(sessions)} request sessions were "
        f"opened, {sum(s.closed for s in sessions)} closed; expected one, closed: the session "
        "closes whether the endpoint returns or raises (task 6)"
    )


@pytest.mark.task(6)
@pytest.mark.parametrize("how", ["returned", "raised"])
@pytest.mark.parametrize("status", [400, 409, 500, 503])
def test_a_request_that_answers_an_error_commits_nothing(
    client: Any, web: dict, how: str, status: int
) -> None:
    market_id = web["ids"]["eth-5k"]
    path = REFUSING_DELETE.format(how=how, status=status, id=market_id)
    reply = client.delete(path)
    still_there = market_slugs(web["engine"], market_id)
    assert reply.status == status and still_there == ["eth-5k"], (
        f"[{client.framework}] DELETE {path}, an endpoint that deletes market {market_id} and "
        f"then answers {status} ({how}), got {reply.status}, and a new session then finds "
        f"{still_there}; expected {status} and ['eth-5k']: only a success (a status below "
        "400) commits. A client told its request was refused must be able to retry it — "
        "committing on 'no exception', on 'status < 500' or on 'not a 4xx' keeps half of a "
        "refused or failed request (task 6)"
    )


@pytest.mark.task(6)
def test_a_commit_that_fails_answers_500_not_success(
    framework: str, web: dict, as_client: Any
) -> None:
    attempts: list[Session] = []

    def refuse(self: Session) -> None:
        attempts.append(self)
        raise RuntimeError("database is locked: the commit was refused")

    factory = sessionmaker(
        web["engine"], class_=type("Refusing", (TrackedSession,), {"opened": []})
    )
    event.listen(factory, "before_commit", refuse)  # whichever way the commit is asked for
    client = as_client(make_app(framework, factory))
    market_id = web["ids"]["eth-5k"]
    reply = client.delete(f"/markets/{market_id}")
    assert attempts, (
        f"[{client.framework}] DELETE /markets/{market_id} answered {reply.status} without "
        "trying to commit the request's session; a successful request commits (task 6)"
    )
    problem = hostile.envelope_problem(reply) if reply.status >= 400 else None
    assert reply.status == 500 and problem is None, (
        f"[{client.framework}] DELETE /markets/{market_id} whose commit raises answered "
        f"{reply.status} {reply.text[:200]!r}; expected a 500 in the error envelope"
        f"{' (' + problem + ')' if problem else ''}. The client must not hear 'done' for work that "
        "was never saved: commit before the response is sent — FastAPI runs a yield "
        "dependency's teardown after sending unless it is declared "
        'Depends(..., scope="function") (task 6)'
    )
    assert "locked" not in reply.text, (
        f"[{client.framework}] the 500 says {reply.text[:200]!r}: a 500 reveals nothing of the "
        "cause (task 6)"
    )
    sessions = factory.class_.opened
    assert market_slugs(web["engine"], market_id) == ["eth-5k"] and all(
        s.closed for s in sessions
    ), f"[{client.framework}] the refused commit must leave the market and close the session"


ROUTES = [
    Route("GET", "/markets/{id}", task=6),
    Route("DELETE", "/markets/{id}", task=6),
]


@pytest.mark.parametrize("route", hostile.params(ROUTES))
def test_hostile_requests_are_refused_in_the_envelope(client: Any, web: dict, route: Route) -> None:
    hostile.assert_survives(client, route, ids={"id": web["ids"]["rain-lisbon"]})


@pytest.mark.task(6)
def test_unserved_methods_are_405_with_a_complete_allow(client: Any, web: dict) -> None:
    hostile.assert_methods_refused(client, ROUTES, ids={"id": web["ids"]["rain-lisbon"]})


@pytest.mark.fastapi
@pytest.mark.task(6)
def test_fastapi_openapi_describes_what_the_routes_send(web: dict) -> None:
    from markets_repository.fastapi_app import create_app

    schema = create_app(web["factory"]).openapi()
    operations = schema["paths"]["/markets/{market_id}"]
    problems = []
    for method, expected in (("get", {"200", "404"}), ("delete", {"204", "404"})):
        responses = operations[method]["responses"]
        if missing := expected - set(responses):
            problems.append(f"{method.upper()} declares {sorted(responses)}, missing {missing}")
        if "422" in responses:
            problems.append(f"{method.upper()} advertises a 422, which the API never sends")
        error = responses.get("404", {}).get("content", {}).get("application/json", {})
        if not error.get("schema", {}).get("$ref", "").endswith("/ErrorBody"):
            problems.append(f"{method.upper()}'s 404 is not described as the error envelope")
    ok = operations["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    if not ok.get("$ref", "").endswith("/MarketOut"):
        problems.append(f"GET's 200 is {ok}, not the MarketOut schema")
    assert not problems, (
        "the OpenAPI schema must describe what the routes really send (clients and "
        "schemathesis trust it): " + "; ".join(problems) + " (task 6)"
    )


@pytest.mark.task(6)
def test_one_request_gets_one_session_however_often_it_asks(client: Any, web: dict) -> None:
    market_id = web["ids"]["eth-5k"]
    path = TWICE_DELETE.format(id=market_id)
    reply = client.delete(path)
    sessions = web["factory"].class_.opened
    still_there = market_slugs(web["engine"], market_id)
    assert (reply.status, len(sessions), still_there) == (204, 1, []), (
        f"[{client.framework}] DELETE {path}, an endpoint that asks for the repository twice, "
        f"answered {reply.status}, opened {len(sessions)} sessions "
        f"({sum(not s.closed for s in sessions)} left open) and left {still_there}; expected "
        "204, one session and the delete committed: every repository of a request shares one "
        "session — one unit of work — so open it on first use and keep it on g (task 6)"
    )


@pytest.mark.flask
@pytest.mark.task(6)
def test_flask_concurrent_requests_each_get_their_own_session(web: dict) -> None:
    import threading

    from markets_repository.flask_app import create_app as create_flask_app
    from markets_repository.flask_app import get_repository as flask_repository

    app = create_flask_app(web["factory"])
    first_has_one, second_has_one = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def request(mine: threading.Event, other: threading.Event, wait_first: bool) -> None:
        try:
            with app.test_request_context(f"/markets/{web['ids']['eth-5k']}"):
                if wait_first:
                    other.wait(5)
                flask_repository()
                mine.set()
                if not wait_first:
                    other.wait(5)  # still inside its request while the other one runs
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            mine.set()  # a request that failed must not keep the other waiting 5 s

    threads = [
        threading.Thread(target=request, args=(first_has_one, second_has_one, False)),
        threading.Thread(target=request, args=(second_has_one, first_has_one, True)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    sessions = web["factory"].class_.opened
    assert not errors and len(sessions) == 2, (
        f"two requests served at the same time by two threads (as Flask's dev server or "
        f"gunicorn --threads do) opened {len(sessions)} sessions between them "
        f"{'and raised ' + repr(errors) if errors else ''}; expected 2: a session kept in a "
        "module-level global is shared by every request — one request commits or closes "
        "another's work, and a Session is not thread-safe. Keep it on `g`, which belongs to "
        "one request (task 6)"
    )
    assert all(session.closed for session in sessions), (
        f"{sum(not s.closed for s in sessions)} of the two request sessions were left open (task 6)"
    )
