"""Lab 07 set-up: a counting repository, caches on the `redis` fixture, one app per framework.

`inner` is the repository the cache wraps (`inner.calls["get"]` counts what got through);
`make_cache(**options)` wraps it on the test's Redis (fakeredis, or `REDIS_URL`'s server),
with a seeded random source and a `sleep` that records each pause in `pauses` (real time
only when a test asks for it). `BrokenRedis` is a client whose every command fails as a
dead server does. HTTP tests run once per framework through the `serve` fixture.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
import redis.exceptions
from django.conf import settings

from markets_cache.cache import CachedMarketRepository
from markets_cache.domain import InMemoryMarketRepository, Market
from patterns_workbook.testing.django_settings import configure_django
from patterns_workbook.testing.http import HttpClient

TTL = 60.0  # seconds, the caches' TTL in tests
JITTER = 0.2
NEGATIVE_TTL = 2.0
LOCK_TTL = 1.0
LISBON = timezone(timedelta(hours=1), "WEST")


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=[],
        root_urlconf="markets_cache.django_app",
        databases={},
        MARKETS_REPOSITORY=None,  # each test's `serve` fixture sets its own
    )


def ticking_clock() -> Callable[[], datetime]:
    """Timestamps one second apart, with microseconds, so a round trip must keep them."""
    ticks = count()
    start = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
    return lambda: start + timedelta(seconds=next(ticks))


@pytest.fixture
def inner() -> InMemoryMarketRepository:
    return InMemoryMarketRepository(clock=ticking_clock())


@pytest.fixture
def market(inner: InMemoryMarketRepository) -> Market:
    """Market 1: a volume whose scale matters (`0.10`), and timestamps with microseconds."""
    return inner.add(name="Rain in Lisbon", slug="rain-lisbon", volume=Decimal("0.10"))


class Pauses(list[float]):
    """The `sleep` handed to caches: records each pause; sleeps for real only if `real`."""

    def __init__(self) -> None:
        super().__init__()
        self.real = False

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        if self.real:
            time.sleep(seconds)


@pytest.fixture
def pauses() -> Pauses:
    return Pauses()


@pytest.fixture
def make_cache(
    inner: InMemoryMarketRepository, redis: Any, pauses: Pauses
) -> Callable[..., CachedMarketRepository]:
    """`make_cache(**options)`: a CachedMarketRepository over `inner` and the test's Redis
    (`inner=` and `client=` replace either)."""

    def make(**options: Any) -> CachedMarketRepository:
        options = {
            "ttl": TTL,
            "jitter": JITTER,
            "negative_ttl": NEGATIVE_TTL,
            "lock_ttl": LOCK_TTL,
            "random": random.Random(7).random,
            "sleep": pauses,
            **options,
        }
        repository = options.pop("inner", inner)
        return CachedMarketRepository(repository, options.pop("client", redis), **options)

    return make


class BrokenRedis:
    """A Redis client for a server that is down: every command raises `error`.

    `register_script` still returns a script (redis-py does not talk to the server until the
    script is called); calling it raises too.
    """

    def __init__(self, error: type[Exception] = redis.exceptions.ConnectionError) -> None:
        self.error = error
        self.commands: list[str] = []

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name == "register_script":
            return lambda script: self._fail_as("EVALSHA")
        return self._fail_as(name)

    def _fail_as(self, name: str) -> Callable[..., Any]:
        def command(*args: Any, **kwargs: Any) -> Any:
            self.commands.append(name)
            raise self.error("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return command


class HookedRedis:
    """The test's Redis client, with hooks: `before["set"] = fn` runs `fn(*args, **kwargs)`
    before each SET, `after["get"] = fn` runs `fn(result, *args, **kwargs)` after each GET.

    Scripts (`register_script`) run on the real client, unhooked.
    """

    def __init__(self, real: Any) -> None:
        self._real = real
        self.before: dict[str, Callable[..., None]] = {}
        self.after: dict[str, Callable[..., None]] = {}

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._real, name)
        if name == "register_script" or not callable(attribute):
            return attribute

        def command(*args: Any, **kwargs: Any) -> Any:
            if (before := self.before.get(name)) is not None:
                before(*args, **kwargs)
            result = attribute(*args, **kwargs)
            if (after := self.after.get(name)) is not None:
                after(result, *args, **kwargs)
            return result

        return command


@pytest.fixture
def serve(
    framework: str, request: pytest.FixtureRequest, as_client: Any
) -> Iterator[Callable[[CachedMarketRepository], HttpClient]]:
    """`client = serve(cache)`: an HttpClient over the framework's app, serving `cache`.

    `framework` is the test module's fixture, parametrized over the three frameworks."""

    def serve(repository: CachedMarketRepository) -> HttpClient:
        if framework == "django":
            settings.MARKETS_REPOSITORY = repository
            return as_client("django")
        if framework == "fastapi":
            app, client = request.getfixturevalue("fastapi_app_and_client")
            app.state.repository = repository
            return client
        from markets_cache.flask_app import REPOSITORY_KEY

        app = request.getfixturevalue("flask_app")
        app.extensions[REPOSITORY_KEY] = repository
        return as_client(app)

    yield serve
    settings.MARKETS_REPOSITORY = None


def _idle_cache() -> CachedMarketRepository:
    from patterns_workbook.testing.redis_factory import make_redis

    return CachedMarketRepository(InMemoryMarketRepository(), make_redis())


@pytest.fixture(scope="session")
def fastapi_app_and_client() -> Iterator[tuple[Any, Any]]:
    from markets_cache.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(_idle_cache())
    # One app and client for the whole run: building a FastAPI app costs more than a test.
    with as_client(app) as client:
        yield app, client


@pytest.fixture(scope="session")
def flask_app() -> Any:
    from markets_cache.flask_app import create_app

    return create_app(_idle_cache())


@pytest.fixture
def fastapi_app(make_cache: Callable[..., CachedMarketRepository], market: Market) -> Any:
    """The FastAPI app over a cache holding market 1.

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_cache.fastapi_app import create_app

    return create_app(make_cache())
