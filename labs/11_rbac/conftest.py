"""Fixtures for the RBAC lab: a fresh store of users and markets per test, tokens for each
user, and one `client` per framework (`-m django`, `-m fastapi`, `-m flask` pick one).

User ids start at 1001: an id compared with `is` instead of `==` only works for the small
integers Python caches (-5 to 256).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from markets_rbac.auth import issue_token
from markets_rbac.domain import Market, Status, User
from markets_rbac.store import Store
from patterns_workbook.testing.django_settings import configure_django

FRAMEWORKS = [
    pytest.param("django", marks=pytest.mark.django),
    pytest.param("fastapi", marks=pytest.mark.fastapi),
    pytest.param("flask", marks=pytest.mark.flask),
]

# username → role as stored. The last four are what a user table really holds one day:
# a NULL, an empty string, a role in the wrong case, a role no table knows.
USERS = {
    "vera": "viewer",
    "carl": "creator",
    "cleo": "creator",
    "mona": "moderator",
    "ada": "admin",
    "nobody": None,
    "blank": "",
    "shouty": "Admin",
    "legacy": "superuser",
}
UNKNOWN_ROLE_USERS = ("nobody", "blank", "shouty", "legacy")


def pytest_configure(config: pytest.Config) -> None:
    # Django without a database: the store is in memory.
    configure_django(
        installed_apps=["rest_framework"],
        root_urlconf="markets_rbac.django_api.urls",
        databases={},
        rest_framework={
            "DEFAULT_AUTHENTICATION_CLASSES": [
                "markets_rbac.django_api.authentication.BearerAuthentication"
            ],
            "EXCEPTION_HANDLER": "markets_rbac.django_api.views.exception_handler",
        },
        MARKETS_STORE=None,  # each test's `client` fixture sets its own store
    )


@dataclass
class World:
    """The store and what the tests name in it: users by username, markets by label."""

    store: Store
    users: dict[str, User]
    markets: dict[str, Market]

    def token(self, username: str) -> str:
        return issue_token(self.users[username].id)

    def auth(self, username: str) -> dict[str, str]:
        """The headers of a request made by `username`."""
        return {"Authorization": f"Bearer {self.token(username)}"}

    def user(self, username: str) -> User | None:
        """The user as the store holds them now."""
        return self.store.find_user(self.users[username].id)

    def market(self, label: str) -> Market:
        return self.store.get_market(self.markets[label].id)


@pytest.fixture
def world() -> World:
    store = Store()
    users = {
        name: store.add_user(name, role, user_id=1001 + n)
        for n, (name, role) in enumerate(USERS.items())
    }
    carl, cleo = users["carl"].id, users["cleo"].id
    draft, active, closed = Status.DRAFT, Status.ACTIVE, Status.CLOSED
    rows = {  # label: (name, slug, creator, status)
        "carl_draft": ("Rain in Lisbon", "rain-lisbon", carl, draft),
        "carl_active": ("Snow in Oslo", "snow-oslo", carl, active),
        "cleo_draft": ("Sun in Rome", "sun-rome", cleo, draft),
        "cleo_closed": ("Fog in London", "fog-london", cleo, closed),
    }
    markets = {
        label: store.add_market(name=name, slug=slug, creator_id=creator, status=status)
        for label, (name, slug, creator, status) in rows.items()
    }
    return World(store, users, markets)


@pytest.fixture(params=FRAMEWORKS)
def client(request: pytest.FixtureRequest, world: World, as_client: Any) -> Iterator[Any]:
    """An HttpClient over one framework's API, serving this test's `world.store`."""
    if request.param == "django":
        settings.MARKETS_STORE = world.store
        yield as_client("django")
        settings.MARKETS_STORE = None
    elif request.param == "fastapi":
        app, client = request.getfixturevalue("fastapi_app_and_client")
        app.state.store = world.store
        yield client
    else:
        from markets_rbac.flask_app import STORE_KEY

        app = request.getfixturevalue("flask_app")
        app.extensions[STORE_KEY] = world.store
        yield as_client(app)


@pytest.fixture
def app(request: pytest.FixtureRequest, client: Any) -> Any:
    """The framework app behind `client` ("django" for Django), for route enumeration."""
    if client.framework == "fastapi":
        return request.getfixturevalue("fastapi_app_and_client")[0]
    if client.framework == "flask":
        return request.getfixturevalue("flask_app")
    return "django"


@pytest.fixture(scope="session")
def fastapi_app_and_client() -> Iterator[tuple[Any, Any]]:
    from markets_rbac.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(Store())
    with as_client(app) as client:  # one app and client per run: an app costs more than a test
        yield app, client


@pytest.fixture(scope="session")
def flask_app() -> Any:
    from markets_rbac.flask_app import create_app

    return create_app(Store())


@pytest.fixture
def fastapi_app(world: World) -> Any:
    """The FastAPI app over a store holding market 1 (the maintainer suite's OpenAPI fuzzing;
    no lab test requests it). Every operation needs a token, which the fuzzer does not have:
    it checks that each refusal is documented and in the envelope."""
    from markets_rbac.fastapi_app import create_app

    return create_app(world.store)
