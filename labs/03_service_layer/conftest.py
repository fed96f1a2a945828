"""Lab 03 fixtures: Django settings, the three apps, the in-memory repository, fake services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from patterns_workbook.testing.django_settings import configure_django


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
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


@pytest.fixture
def repository() -> Any:
    from markets_service.repository import InMemoryMarketRepository

    return InMemoryMarketRepository()


@pytest.fixture
def service(repository: Any) -> Any:
    from markets_service.service import MarketService

    return MarketService(repository)


@pytest.fixture
def sqlalchemy_repository() -> Any:
    """A SqlAlchemyMarketRepository over a fresh in-memory SQLite database."""
    from sqlalchemy.orm import sessionmaker

    from markets_service.orm import SqlAlchemyMarketRepository, make_engine

    engine = make_engine("sqlite://")
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
def http(request: pytest.FixtureRequest, as_client: Any) -> Iterator[Any]:
    """`http(framework)` → an HttpClient on that framework's app with its real ORM service."""
    from contextlib import ExitStack

    with ExitStack() as stack:

        def build(framework: str) -> Any:
            if framework == "django":
                request.getfixturevalue("db")
                return as_client("django")
            if framework == "fastapi":
                from markets_service.fastapi_app import create_app as create_fastapi

                return stack.enter_context(as_client(create_fastapi()))
            from markets_service.flask_app import create_app as create_flask

            return as_client(create_flask())

        yield build


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
