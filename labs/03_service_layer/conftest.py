"""Lab 03 fixtures: Django settings, the three apps, the in-memory repository, fake services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from patterns_workbook.testing.django_settings import configure_django


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=[  # no contrib.auth: unused here, its migrations slow a PostgreSQL run
            "rest_framework",
            "markets_service.django_app",
        ],
        root_urlconf="markets_service.django_app.urls",
        rest_framework={
            "EXCEPTION_HANDLER": "markets_service.django_app.views.exception_handler",
            "DEFAULT_PARSER_CLASSES": ["markets_service.django_app.parsers.JSONParser"],
        },
        MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
        APPEND_SLASH=False,
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A Django test reaching its app through `http`/`app_of` asks for the database by marker:
    pytest-django creates only the databases a collected test names (a marker or the `db`
    fixture), so a run of such tests alone would find no table."""
    for item in items:
        if (
            item.get_closest_marker("django")
            and "app_of" in getattr(item, "fixturenames", ())
            and not item.get_closest_marker("django_db")
        ):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture
def repository() -> Any:
    from markets_service.repository import InMemoryMarketRepository

    return InMemoryMarketRepository()


@pytest.fixture
def service(repository: Any) -> Any:
    from markets_service.service import MarketService

    return MarketService(repository)


@pytest.fixture
def database_url(postgresql_url: str | None) -> str:
    """The SQLAlchemy side's database: fresh in-memory SQLite, or with `DATABASE_URL` set
    this process's scratch PostgreSQL database (emptied after each test)."""
    return postgresql_url or "sqlite://"


@pytest.fixture
def sqlalchemy_repository(database_url: str) -> Any:
    """A SqlAlchemyMarketRepository over this test's empty database."""
    from sqlalchemy.orm import sessionmaker

    from markets_service.orm import SqlAlchemyMarketRepository, make_engine

    engine = make_engine(database_url)
    yield SqlAlchemyMarketRepository(sessionmaker(engine))
    engine.dispose()


@pytest.fixture
def django_repository(db: None) -> Any:
    from markets_service.django_app.repository import DjangoMarketRepository

    return DjangoMarketRepository()


@pytest.fixture
def fastapi_app() -> Any:
    """The FastAPI app over a fresh in-memory database holding market 1 (a draft).

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_service.domain import Market
    from markets_service.fastapi_app import create_app
    from markets_service.orm import SqlAlchemyMarketRepository

    app = create_app()
    SqlAlchemyMarketRepository(app.state.sessions).add(
        Market(name="Rain in Paris", slug="rain-in-paris")
    )
    return app


@pytest.fixture
def app_of(
    request: pytest.FixtureRequest, postgresql_url: str | None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Any]:
    """`app_of(framework)` → that framework's app with its real ORM service, on this test's
    database ("django" for Django, whose test database pytest-django provides).

    Every engine an app factory makes is disposed when the test ends, so no pooled
    connection outlives it (on PostgreSQL the tables are emptied next).
    """
    from markets_service import orm

    engines: list[Any] = []

    def make_engine(url: str = "sqlite://") -> Any:
        engines.append(orm.make_engine(url))
        return engines[-1]

    def build(framework: str) -> Any:
        if framework == "django":
            request.getfixturevalue("db")
            return "django"
        if framework == "fastapi":
            from markets_service import fastapi_app

            monkeypatch.setattr(fastapi_app, "make_engine", make_engine)
            if postgresql_url is None:  # the factory's own default: in-memory SQLite
                return fastapi_app.create_app()
            return fastapi_app.create_app(postgresql_url)
        from markets_service import flask_app

        monkeypatch.setattr(flask_app, "make_engine", make_engine)
        if postgresql_url is None:
            return flask_app.create_app()
        return flask_app.create_app({"DATABASE_URL": postgresql_url})

    yield build
    for engine in engines:
        engine.dispose()


@pytest.fixture
def http(app_of: Any, as_client: Any) -> Iterator[Any]:
    """`http(framework)` → an HttpClient on that framework's app with its real ORM service."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield lambda framework: stack.enter_context(as_client(app_of(framework)))


@pytest.fixture
def http_with(as_client: Any) -> Iterator[Any]:
    """`http_with(framework, fake)` → an HttpClient whose views get `fake` as their service,
    injected the framework's own way: a FastAPI dependency override, the Flask factory's
    `service=` argument, the Django module hook."""
    from contextlib import ExitStack

    with ExitStack() as stack:

        def build(framework: str, fake: Any) -> Any:
            if framework == "django":
                from markets_service.django_app.services import override_market_service

                stack.enter_context(override_market_service(fake))
                return as_client("django")
            if framework == "fastapi":
                from markets_service.fastapi_app import create_app, get_market_service

                app = create_app()
                app.dependency_overrides[get_market_service] = lambda: fake
                return stack.enter_context(as_client(app))
            from markets_service.flask_app import create_app as create_flask

            return as_client(create_flask(service=fake))

        yield build
