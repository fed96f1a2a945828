"""Lab 09 set-up: a fake clock, a recording sleep, a scripted pricing service, one app per
framework.

Nothing here sleeps or touches the network. `sleeper` records every delay and moves `clock`
forward by it; `upstream` is the pricing service as an `httpx.MockTransport` that plays a
script (`upstream.plays(503, 503, 200)`) and counts the requests it got; `make_pricing(...)`
is a `RetryingClient` over it, with the fake clock, the recording sleep and `Random(SEED)`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from django.conf import settings

from markets_retry.backoff import Jitter
from markets_retry.errors import RetryError
from markets_retry.http_client import RetryingClient
from patterns_workbook.testing.django_settings import configure_django

SEED = 9  # every jittered delay in the tests is a draw from random.Random(SEED)
NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)  # the wall clock, for Retry-After dates
UPSTREAM = "http://pricing.internal"


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=[],
        root_urlconf="markets_retry.django_app",
        databases={},
        MARKETS_PRICING=None,  # each test's `client` fixture sets its own
    )


def raised(call: Callable[[], Any]) -> BaseException | None:
    """What `call()` raised — anything, KeyboardInterrupt included — or None if it returned.

    Tests assert on it with a message, rather than let a wrong exception escape unexplained.
    """
    try:
        call()
    except BaseException as exc:
        return exc
    return None


def gave_up(error: BaseException | None, what: str) -> RetryError:
    """`error`, checked to be a `RetryError`: the one way `retry` reports giving up."""
    assert isinstance(error, RetryError), (
        f"{what} ended with {error!r}; expected RetryError(attempts, last) raised from the "
        "last failure: giving up is reported, never swallowed (returning None) nor disguised"
    )
    return error


class Halves(random.Random):
    """Every draw is the middle: uniform(a, b) = (a + b) / 2."""

    def random(self) -> float:
        return 0.5


class FakeClock:
    """A monotonic clock in seconds that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Sleeper:
    """`sleep(seconds)`: records the delay and moves the fake clock; never really waits."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.advance(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self(seconds)


Step = int | httpx.Response | Exception


class Upstream:
    """The pricing service, as a script: each request gets the next step (the last repeats).

    A step is a status (answered with a price body for 200, a short error body otherwise),
    an `httpx.Response`, or an exception to raise (`httpx.ConnectError(...)`).
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.steps: list[Step] = [200]
        self.requests: list[httpx.Request] = []
        self.takes = 0.0  # seconds each request takes on the fake clock

    def plays(self, *steps: Step) -> Upstream:
        self.steps = list(steps)
        return self

    @property
    def calls(self) -> int:
        return len(self.requests)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        step = self.steps[min(len(self.requests), len(self.steps) - 1)]
        self.requests.append(request)
        self.clock.advance(self.takes)
        if isinstance(step, Exception):
            raise step
        if isinstance(step, httpx.Response):
            return step
        if step == 200:
            market_id = int(request.url.path.rsplit("/", 1)[-1])
            return httpx.Response(200, json={"market_id": market_id, "price": "0.42"})
        return httpx.Response(step, json={"error": f"pricing says {step}"})


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeper(clock: FakeClock) -> Sleeper:
    return Sleeper(clock)


@pytest.fixture
def upstream(clock: FakeClock) -> Upstream:
    return Upstream(clock)


@pytest.fixture
def make_pricing(
    upstream: Upstream, sleeper: Sleeper, clock: FakeClock
) -> Iterator[Callable[..., RetryingClient]]:
    """`make_pricing(headers=None, **options)`: defaults attempts=3, base=1, cap=30, no jitter."""
    opened: list[httpx.Client] = []

    def make(headers: dict[str, str] | None = None, **options: Any) -> RetryingClient:
        options = {"attempts": 3, "base": 1.0, "cap": 30.0, "jitter": Jitter.NONE} | options
        transport = httpx.MockTransport(upstream)
        http = httpx.Client(transport=transport, base_url=UPSTREAM, headers=headers)
        opened.append(http)
        return RetryingClient(
            http,
            sleep=sleeper,
            clock=clock,
            random=random.Random(SEED),
            now=lambda: NOW,
            **options,
        )

    yield make
    for http in opened:
        http.close()


@pytest.fixture
def client(
    framework: str, request: pytest.FixtureRequest, make_pricing: Callable[..., RetryingClient]
) -> Any:
    """An HttpClient over `framework`'s app, whose pricing client is `make_pricing()`.

    `framework` is the test module's fixture, parametrized over the three frameworks."""
    pricing = make_pricing()
    if framework == "django":
        from patterns_workbook.testing.http import as_client

        settings.MARKETS_PRICING = pricing
        yield as_client("django")
        settings.MARKETS_PRICING = None
    elif framework == "fastapi":
        app, http = request.getfixturevalue("fastapi_app_and_client")
        app.state.pricing = pricing
        yield http
    else:
        from markets_retry.flask_app import PRICING_KEY

        app, http = request.getfixturevalue("flask_app_and_client")
        app.extensions[PRICING_KEY] = pricing
        yield http


@pytest.fixture(scope="session")
def fastapi_app_and_client() -> Iterator[tuple[Any, Any]]:
    from markets_retry.fastapi_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(_idle_pricing())
    with as_client(app) as http:  # one app and client per run: building an app costs more
        yield app, http


@pytest.fixture(scope="session")
def flask_app_and_client() -> tuple[Any, Any]:
    from markets_retry.flask_app import create_app
    from patterns_workbook.testing.http import as_client

    app = create_app(_idle_pricing())
    return app, as_client(app)


def _idle_pricing() -> RetryingClient:
    """A placeholder until a test sets its own: every request to it fails loudly."""

    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the test did not set a pricing client")

    return RetryingClient(httpx.Client(transport=httpx.MockTransport(refuse), base_url=UPSTREAM))


@pytest.fixture
def fastapi_app() -> Any:
    """The FastAPI app over a pricing service that knows market 1 only.

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_retry.fastapi_app import create_app

    def known(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/prices/1":
            return httpx.Response(200, json={"market_id": 1, "price": "0.42"})
        return httpx.Response(404, json={"error": "no such market"})

    http = httpx.Client(transport=httpx.MockTransport(known), base_url=UPSTREAM)
    return create_app(RetryingClient(http, sleep=lambda seconds: None))
