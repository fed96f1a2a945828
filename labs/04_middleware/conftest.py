"""Fixtures for the middleware lab: one `api(...)` factory per framework, over fresh data.

Each task's tests run the middleware that task needs, in the reference order, so a task's
tests pass as soon as that task is done: `api("request_id")` (task 2), `api("timing")`
(task 3: request id, timing), `api("auth_gate")` (task 4: request id, gate). `api()` is
*your* pipeline, in your order (task 5): `middleware_order()`, `install(app)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from markets_middleware.markets import MarketBook
from patterns_workbook.testing.django_settings import configure_django
from patterns_workbook.testing.http import HttpClient

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]
STAGES = {  # what each task's tests run, outermost first
    "request_id": ("request_id",),
    "timing": ("request_id", "timing"),
    "auth_gate": ("request_id", "auth_gate"),
}
CLASS_NAMES = {  # Django and FastAPI name each stage's class alike
    "request_id": "RequestIdMiddleware",
    "timing": "TimingMiddleware",
    "auth_gate": "AuthGateMiddleware",
}
DJANGO_MIDDLEWARE = "markets_middleware.django_app.middleware"
API = Callable[..., HttpClient]


def pytest_configure(config: pytest.Config) -> None:
    # Django without a database: the data is in memory. MIDDLEWARE is set per test (`api`).
    configure_django(
        installed_apps=["rest_framework"],
        root_urlconf="markets_middleware.django_app.urls",
        databases={},
        rest_framework={
            "EXCEPTION_HANDLER": "markets_middleware.django_app.views.exception_handler",
            "DEFAULT_METADATA_CLASS": None,  # OPTIONS is not part of this API: a 405
        },
        MARKETS_BOOK=None,
    )


@pytest.fixture
def book() -> MarketBook:
    return MarketBook()


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def api(framework: str, book: MarketBook, request: pytest.FixtureRequest) -> Iterator[API]:
    """`api(pipeline=None)` → an HttpClient over this framework's app, over `book`.

    `pipeline` is a key of STAGES (the reference order, for tasks 2-4) or None: your own
    `middleware_order()` / `install` (task 5). The FastAPI and Flask apps are built once
    per pipeline and run; each test hands them its fresh `book`.
    """
    with ExitStack() as stack:

        def make(pipeline: str | None = None) -> HttpClient:
            if framework == "django":
                return _django_client(stack, book, pipeline)
            apps = request.getfixturevalue(f"{framework}_apps")
            return apps(pipeline, book)

        yield make


def _django_client(stack: ExitStack, book: MarketBook, pipeline: str | None) -> HttpClient:
    from django.test import override_settings

    from markets_middleware.django_app import middleware
    from patterns_workbook.testing.http import as_client

    if pipeline is None:
        order = middleware.middleware_order()
    else:
        order = [f"{DJANGO_MIDDLEWARE}.{CLASS_NAMES[s]}" for s in STAGES[pipeline]]
    stack.enter_context(override_settings(MIDDLEWARE=order, MARKETS_BOOK=book))
    return as_client("django")


@pytest.fixture(scope="session")
def fastapi_apps() -> Iterator[Callable[[str | None, MarketBook], HttpClient]]:
    from fastapi import FastAPI

    from markets_middleware import fastapi_middleware
    from markets_middleware.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    built: dict[str | None, tuple[Any, HttpClient]] = {}

    def installer(pipeline: str) -> Callable[[FastAPI], None]:
        def install(app: FastAPI) -> None:
            for stage in reversed(STAGES[pipeline]):  # added last = outermost
                if stage != "auth_gate":  # a dependency of the app (create_app's `gate`)
                    app.add_middleware(getattr(fastapi_middleware, CLASS_NAMES[stage]))

        return install

    def get(pipeline: str | None, book: MarketBook) -> HttpClient:
        if pipeline not in built:
            install = fastapi_middleware.install if pipeline is None else installer(pipeline)
            gated = pipeline in (None, "auth_gate")
            gate = fastapi_middleware.require_principal if gated else None
            app = create_app(MarketBook(), install, gate)
            built[pipeline] = (app, as_client(app))
        app, client = built[pipeline]
        app.state.book = book
        return client

    yield get
    for _, client in built.values():
        client.__exit__(None, None, None)


@pytest.fixture(scope="session")
def flask_apps() -> Callable[[str | None, MarketBook], HttpClient]:
    from flask import Flask

    from markets_middleware import flask_middleware
    from markets_middleware.flask_app import BOOK_KEY, create_app
    from patterns_workbook.testing.http import as_client

    built: dict[str | None, Any] = {}

    def installer(pipeline: str) -> Callable[[Flask], None]:
        def install(app: Flask) -> None:
            for stage in STAGES[pipeline]:
                getattr(flask_middleware, stage)(app)

        return install

    def get(pipeline: str | None, book: MarketBook) -> HttpClient:
        if pipeline not in built:
            install = flask_middleware.install if pipeline is None else installer(pipeline)
            built[pipeline] = create_app(MarketBook(), install)
        app = built[pipeline]
        app.extensions[BOOK_KEY] = book
        return as_client(app)

    return get


@pytest.fixture
def fastapi_app() -> Any:
    """The FastAPI app with your pipeline, for the maintainer suite's OpenAPI fuzzing."""
    from markets_middleware import fastapi_middleware
    from markets_middleware.fastapi_app import create_app

    return create_app(
        MarketBook(), fastapi_middleware.install, fastapi_middleware.require_principal
    )
