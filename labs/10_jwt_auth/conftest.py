"""Fixtures for the JWT lab: one key pair per run, fresh stores per test, one `client` per
framework (`-m django`, `-m fastapi`, `-m flask` pick one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from markets_jwt.config import JwtConfig
from markets_jwt.passwords import TEST_COST, PasswordHasher
from markets_jwt.store import SERVICES_KEY, MarketStore, Services, User, UserStore
from patterns_workbook.testing.django_settings import configure_django

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
ADA_PASSWORD = "correct horse battery staple"
BOB_PASSWORD = "Tr0ub4dor&3 but longer"


def pytest_configure(config: pytest.Config) -> None:
    configure_django(  # no database: the stores are in memory
        installed_apps=["rest_framework"],
        root_urlconf="markets_jwt.django_api.urls",
        databases={},
        rest_framework={"EXCEPTION_HANDLER": "markets_jwt.django_api.views.exception_handler"},
        MARKETS_SERVICES=None,  # each test's `client` sets its own
    )


@pytest.fixture(scope="session")
def jwt_config() -> JwtConfig:
    """One Ed25519 key pair for the run, made here: no private key lives in the repository."""
    return JwtConfig.generate()


@pytest.fixture
def services(jwt_config: JwtConfig) -> Services:
    # A cheap scrypt cost, passed explicitly: the production default takes ~50 ms a hash.
    users = UserStore(PasswordHasher(n=TEST_COST))
    return Services(users=users, markets=MarketStore(), jwt=jwt_config)


@pytest.fixture
def ada(services: Services) -> User:
    return services.users.add("ada", ADA_PASSWORD)


@pytest.fixture
def bob(services: Services) -> User:
    return services.users.add("bob", BOB_PASSWORD)


@pytest.fixture(params=FRAMEWORKS)
def client(request: pytest.FixtureRequest, services: Services, as_client: Any) -> Iterator[Any]:
    """An HttpClient over one framework's API, serving this test's `services`."""
    if request.param == "django":
        settings.MARKETS_SERVICES = services
        yield as_client("django")
        settings.MARKETS_SERVICES = None
    elif request.param == "fastapi":
        app, client = request.getfixturevalue("fastapi_app_and_client")
        app.state.services = services
        yield client
    else:
        app = request.getfixturevalue("flask_app")
        app.extensions[SERVICES_KEY] = services
        yield as_client(app)


@pytest.fixture(scope="session")
def fastapi_app_and_client(jwt_config: JwtConfig) -> Iterator[tuple[Any, Any]]:
    from markets_jwt.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(Services(UserStore(), MarketStore(), jwt_config))
    with as_client(app) as client:  # one app for the run: building one costs more than a test
        yield app, client


@pytest.fixture(scope="session")
def flask_app(jwt_config: JwtConfig) -> Any:
    from markets_jwt.flask_app import create_app

    return create_app(Services(UserStore(), MarketStore(), jwt_config))


@pytest.fixture
def fastapi_app(services: Services, ada: User) -> Any:
    """The FastAPI app with market 1 stored, for the maintainer suite's schemathesis run."""
    from markets_jwt.fastapi_app import create_app

    services.markets.create("Rain in Lisbon", creator=ada)
    return create_app(services)
