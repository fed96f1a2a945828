"""Fixtures for the structured-logging lab: a fresh service per test, one `client` per
framework, and `logs` — the JSON lines the process wrote to stderr, parsed.

Every HTTP test runs three times, once per framework (`-m django`, `-m fastapi`, `-m flask`
pick one), against the same contract.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from markets_logging.service import MarketService, sample_markets
from patterns_workbook.testing.django_settings import configure_django

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


def pytest_configure(config: pytest.Config) -> None:
    # Django without a database: the markets are in memory.
    configure_django(
        installed_apps=["rest_framework"],
        root_urlconf="markets_logging.django_app.urls",
        databases={},
        rest_framework={"EXCEPTION_HANDLER": "markets_logging.django_app.views.exception_handler"},
        MIDDLEWARE=[
            "markets_logging.django_app.middleware.RequestIdMiddleware",
            "markets_logging.django_access.AccessLogMiddleware",
        ],
        MARKETS_SERVICE=None,  # each test's `client` fixture sets its own service
    )


@pytest.fixture
def service() -> MarketService:
    return MarketService(sample_markets())


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Any:
    """`configure_logging()` to stderr, as a server starts; `logs.lines()` reads what came out."""
    from loglines import CapturedLog, CurrentStderr

    from markets_logging.logconfig import configure_logging

    configure_logging(CurrentStderr())  # type: ignore[arg-type]
    return CapturedLog(capsys)


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def app(framework: str, service: MarketService, request: pytest.FixtureRequest) -> Any:
    """The framework's app over this test's service ("django": the URLconf in settings).

    The FastAPI and Flask apps are built once per run; each test hands them its service.
    """
    if framework == "django":
        settings.MARKETS_SERVICE = service
        return "django"
    if framework == "fastapi":
        fastapi_app = request.getfixturevalue("shared_fastapi_app")
        fastapi_app.state.service = service
        return fastapi_app
    from markets_logging.flask_app import SERVICE_KEY

    flask_app = request.getfixturevalue("shared_flask_app")
    flask_app.extensions[SERVICE_KEY] = service
    return flask_app


@pytest.fixture
def client(app: Any, as_client: Any) -> Iterator[Any]:
    """An HttpClient (get/post/… → Reply) over one framework's Markets API."""
    with as_client(app) as http:
        yield http


@pytest.fixture(scope="session")
def shared_fastapi_app() -> Any:
    from markets_logging.fastapi_app import create_app

    return create_app(MarketService(sample_markets()))


@pytest.fixture(scope="session")
def shared_flask_app() -> Any:
    from markets_logging.flask_app import create_app

    return create_app(MarketService(sample_markets()))


@pytest.fixture
def fastapi_app() -> Any:
    """A FastAPI app over the sample markets (market 1 exists).

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_logging.fastapi_app import create_app

    return create_app(MarketService(sample_markets()))
