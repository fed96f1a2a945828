"""Lab 08 fixtures: Django settings, the three apps over a fresh database, a fake clock.

Every API test runs three times, once per framework (`-m django`, `-m fastapi`, `-m flask`
pick one), against the same contract and the same expected bodies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from patterns_workbook.testing.database import server_engine, sqlite_engine
from patterns_workbook.testing.django_settings import IN_MEMORY_SQLITE, configure_django

FRAMEWORKS = [
    pytest.param("django", marks=[pytest.mark.django, pytest.mark.django_db]),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


def pytest_configure(config: pytest.Config) -> None:
    from markets_errors.schemas import MAX_BODY_BYTES

    configure_django(
        installed_apps=["rest_framework", "markets_errors.django_app"],
        root_urlconf="markets_errors.django_app.urls",
        rest_framework={
            "EXCEPTION_HANDLER": "markets_errors.django_app.handlers.exception_handler",
            "DEFAULT_PARSER_CLASSES": ["markets_errors.django_app.parsers.JSONParser"],
            "DEFAULT_CONTENT_NEGOTIATION_CLASS": "markets_errors.django_app.negotiation.JsonAlways",
        },
        MIDDLEWARE=["markets_errors.django_app.middleware.RequestIdMiddleware"],
        # The body limit of the three apps (Django's default, named): a larger body makes
        # `request.body` raise RequestDataTooBig.
        DATA_UPLOAD_MAX_MEMORY_SIZE=MAX_BODY_BYTES,
        # One transaction per request, committed when the view returns a response (Django's
        # default is autocommit); it holds on PostgreSQL too (DATABASE_URL).
        databases={"default": {**IN_MEMORY_SQLITE["default"], "ATOMIC_REQUESTS": True}},
    )


class Clock:
    """The rate limiter's clock: it moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A fresh create limit per test (3 per 60 s per token), on a clock the test moves."""
    from markets_errors import access

    fake = Clock()
    monkeypatch.setattr(access.CREATES, "clock", fake)
    access.CREATES.reset()
    return fake


@pytest.fixture
def sessions(postgresql_url: str | None) -> Iterator[Any]:
    """A sessionmaker over a fresh database (in-memory SQLite, or DATABASE_URL's server)."""
    from sqlalchemy.orm import sessionmaker

    from markets_errors.db import Base, make_engine

    if postgresql_url is None:  # one in-memory database per run, emptied after each test
        with sqlite_engine("lab08", make_engine, Base.metadata) as engine:
            yield sessionmaker(engine)
        return
    yield sessionmaker(server_engine(postgresql_url, make_engine))


@pytest.fixture(params=FRAMEWORKS)
def client(request: pytest.FixtureRequest, as_client: Any) -> Iterator[Any]:
    """An HttpClient over one framework's app, on a fresh database."""
    if request.param == "django":
        yield as_client("django")
    elif request.param == "fastapi":
        app, http = request.getfixturevalue("fastapi_app_and_client")
        app.state.sessions = request.getfixturevalue("sessions")
        yield http
    else:
        from markets_errors.flask_app import SESSIONS

        app = request.getfixturevalue("flask_app")
        app.extensions[SESSIONS] = request.getfixturevalue("sessions")
        yield as_client(app)


@pytest.fixture
def stored(client: Any, request: pytest.FixtureRequest) -> Callable[[], dict[str, int]]:
    """`stored()` → {"tags": n, "markets": m}: what the client's app has committed."""
    if client.framework == "django":
        from markets_errors.django_app.services import count_rows

        return count_rows
    from markets_errors.db import count_rows as count_in

    sessions = request.getfixturevalue("sessions")

    def count() -> dict[str, int]:
        with sessions() as session:
            return count_in(session)

    return count


@pytest.fixture(scope="session")
def fastapi_app_and_client() -> Iterator[tuple[Any, Any]]:
    """One FastAPI app and client for the run (building an app costs more than a test)."""
    from markets_errors.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app()
    with as_client(app) as http:
        yield app, http


@pytest.fixture(scope="session")
def flask_app() -> Any:
    from markets_errors.flask_app import create_app

    return create_app()


@pytest.fixture
def fastapi_app(sessions: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The FastAPI app with market 1 stored, creates unlimited.

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_errors import access, db
    from markets_errors.fastapi_app import create_app

    monkeypatch.setattr(access.CREATES, "limit", 10**9)
    with sessions.begin() as session:
        db.create_market(session, name="Rain in Lisbon", slug="rain-lisbon", tag="weather")
    return create_app(sessions)
