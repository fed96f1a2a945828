"""FastAPI and Flask receive the repository per request (task 6).

Endpoints never see a session: `get_repository` opens one per request, wraps it in the
SQLAlchemy repository, commits successful work and always closes the session.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import seed_sqlalchemy
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from markets_repository.fastapi_app import Repository
from markets_repository.sqlalchemy_orm.models import MarketRow


class TrackedSession(Session):
    """A Session that records its own opening and closing, to prove none is left open."""

    opened: list[TrackedSession]

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


def make_app(framework: str, factory: Any) -> Any:
    """The lab's app, plus a test-only endpoint that fails after deleting a market."""
    if framework == "fastapi":
        from markets_repository.fastapi_app import create_app as create_fastapi_app

        app = create_fastapi_app(factory)

        @app.delete(FAILING_DELETE.replace("{id}", "{market_id}"))
        def delete_then_fail(market_id: int, repository: Repository) -> None:
            repository.delete(market_id)
            raise RuntimeError("the endpoint failed after deleting")

        return app
    from markets_repository.flask_app import create_app as create_flask_app
    from markets_repository.flask_app import get_repository as flask_repository

    app = create_flask_app(factory)

    def flask_delete_then_fail(market_id: int) -> None:
        flask_repository().delete(market_id)
        raise RuntimeError("the endpoint failed after deleting")

    rule = FAILING_DELETE.replace("{id}", "<int:market_id>")
    app.add_url_rule(rule, view_func=flask_delete_then_fail, methods=["DELETE"])
    return app


@pytest.fixture(
    params=[
        pytest.param("fastapi", marks=pytest.mark.fastapi),
        pytest.param("flask", marks=pytest.mark.flask),
    ]
)
def client(request: pytest.FixtureRequest, web: dict[str, Any], as_client: Any) -> Any:
    return as_client(make_app(request.param, web["factory"]))


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
    with Session(web["engine"]) as fresh:
        still_there = fresh.scalars(select(MarketRow.slug).where(MarketRow.id == market_id)).all()
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
    with Session(web["engine"]) as fresh:
        still_there = fresh.scalars(select(MarketRow.slug).where(MarketRow.id == market_id)).all()
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
