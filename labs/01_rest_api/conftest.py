"""Fixtures for the Markets API lab: a fresh store per test and one `client` per framework.

Every API test runs three times, once per framework (`-m django`, `-m fastapi`, `-m flask`
pick one), against the same contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from django.conf import settings

from markets_rest.domain import MarketData, Status
from markets_rest.store import MarketStore
from patterns_workbook.testing.django_settings import configure_django

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]


def pytest_configure(config: pytest.Config) -> None:
    # Django without a database: the store is in memory, so no test needs one.
    configure_django(
        installed_apps=["rest_framework"],
        root_urlconf="markets_rest.django_api.urls",
        databases={},
        rest_framework={"EXCEPTION_HANDLER": "markets_rest.django_api.views.exception_handler"},
        MARKETS_STORE=None,  # each test's `client` fixture sets its own store
    )


def ticking_clock(start: datetime, step: timedelta) -> Callable[[], datetime]:
    """A clock that moves `step` forward on every reading: timestamps differ, tests stay exact."""
    ticks = count()
    return lambda: start + step * next(ticks)


@pytest.fixture
def store() -> MarketStore:
    return MarketStore(clock=ticking_clock(datetime(2026, 1, 1, tzinfo=UTC), timedelta(seconds=1)))


@pytest.fixture(params=FRAMEWORKS)
def client(request: pytest.FixtureRequest, store: MarketStore, as_client: Any) -> Iterator[Any]:
    """An HttpClient (get/post/put/patch/delete → Reply) over one framework's Markets API.

    The FastAPI and Flask apps are built once per run and handed each test's fresh store
    where their views read it (`app.state.store`, `app.extensions[STORE_KEY]`).
    """
    if request.param == "django":
        settings.MARKETS_STORE = store
        yield as_client("django")
        settings.MARKETS_STORE = None
    elif request.param == "fastapi":
        app, client = request.getfixturevalue("fastapi_app_and_client")
        app.state.store = store
        yield client
    else:
        from markets_rest.flask_app import STORE_KEY

        app = request.getfixturevalue("flask_app")
        app.extensions[STORE_KEY] = store
        yield as_client(app)


@pytest.fixture(scope="session")
def fastapi_app_and_client() -> Iterator[tuple[Any, Any]]:
    from markets_rest.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(MarketStore())
    # One app and client for the whole run: building a FastAPI app costs more than a test.
    with as_client(app) as client:
        yield app, client


@pytest.fixture
def fastapi_app(store: MarketStore) -> Any:
    """The FastAPI app over a fresh store holding market 1.

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_rest.fastapi_app import create_app

    store.create(MarketData(name="Rain in Lisbon", slug="rain-lisbon", status=Status.ACTIVE))
    return create_app(store)


@pytest.fixture(scope="session")
def flask_app() -> Any:
    from markets_rest.flask_app import create_app

    return create_app(MarketStore())
