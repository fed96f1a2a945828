"""Lab 12 set-up: a fake clock, limiters on the `redis` fixture, one app per framework.

Every HTTP test runs three times, once per framework (`-m django`, `-m fastapi`, `-m flask`
pick one). `connect(peer)` gives an HttpClient whose requests come from the TCP peer `peer`
(REMOTE_ADDR / `request.client`), the address the trusted-proxy rule starts from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings

from markets_ratelimit.config import RateLimitConfig, parse_networks
from markets_ratelimit.limiter import SlidingWindowLimiter
from patterns_workbook.testing.django_settings import configure_django
from patterns_workbook.testing.http import HttpClient, Reply, as_client

START = 1_000_000.0  # the fake clock's first reading, in seconds
PROXY = "10.0.0.2"  # our load balancer: the only peer whose X-Forwarded-For is believed
TRUSTED = parse_networks(["10.0.0.0/24"])
TOKENS = {"token-ada": "ada", "token-bob": "bob"}
CLIENT = "198.51.100.7"  # a client connecting directly, not through the proxy


def pytest_configure(config: pytest.Config) -> None:
    configure_django(
        installed_apps=[],
        root_urlconf="markets_ratelimit.django_app",
        databases={},
        MIDDLEWARE=["markets_ratelimit.django_middleware.RateLimitMiddleware"],
        MARKETS_RATE_LIMIT=None,  # each test's `connect` fixture sets its own
    )


class FakeClock:
    """`clock()` reads the time; `advance(seconds)` moves it. Tests never sleep."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_limiter(redis: Any, clock: FakeClock) -> Callable[..., SlidingWindowLimiter]:
    """`make_limiter(limit=3, window=60)`: a limiter on the test's Redis and fake clock."""

    def make(*, limit: int = 3, window: float = 60, client: Any = None) -> SlidingWindowLimiter:
        return SlidingWindowLimiter(client or redis, limit=limit, window=window, clock=clock)

    return make


@pytest.fixture
def serve(
    framework: str, request: pytest.FixtureRequest
) -> Iterator[Callable[[RateLimitConfig], Callable[[str], HttpClient]]]:
    """`connect = serve(config)`: the framework's app now limits with `config`;
    `connect(peer)` is a client whose requests come from `peer`. `framework` is the test
    module's fixture, parametrized over the three frameworks."""
    opened: list[HttpClient] = []

    def serve(config: RateLimitConfig) -> Callable[[str], HttpClient]:
        if framework == "django":
            settings.MARKETS_RATE_LIMIT = config
            app: Any = "django"
        elif framework == "fastapi":
            app = request.getfixturevalue("fastapi_app_shared")
            app.state.rate_limit = config
        else:
            app = request.getfixturevalue("flask_app_shared")
            from markets_ratelimit.flask_hooks import CONFIG_KEY

            app.extensions[CONFIG_KEY] = config

        def connect(peer: str = CLIENT) -> HttpClient:
            opened.append(client := as_client(app, peer=peer))
            return client

        return connect

    yield serve
    for client in opened:
        client.__exit__(None, None, None)
    settings.MARKETS_RATE_LIMIT = None


@pytest.fixture
def limited(
    serve: Callable[[RateLimitConfig], Callable[[str], HttpClient]],
    make_limiter: Callable[..., SlidingWindowLimiter],
) -> Callable[[str], HttpClient]:
    """`connect(peer)` over an app allowing 3 requests per 60 s, behind proxy 10.0.0.0/24."""
    config = RateLimitConfig(make_limiter(limit=3, window=60), TRUSTED, TOKENS)
    return serve(config)


@pytest.fixture
def send_lines(framework: str, request: pytest.FixtureRequest) -> Callable[..., Reply]:
    """`send_lines(peer, [(name, value), ...])`: a GET /markets with these header LINES, a
    repeated name kept as separate lines, handed to the app as its server would: a WSGI
    server (Django, Flask) joins repeated lines with ", ", an ASGI one lists each line.
    `peer=None` is a server with no peer address (FastAPI's `request.client` is None).
    Requests go to the app as `serve` (or `limited`) configured it."""

    def send(peer: str | None, lines: list[tuple[str, str]], path: str = "/markets") -> Reply:
        if framework == "django":
            from django.test import Client

            meta: dict[str, str] = {}
            for name, value in lines:
                key = "HTTP_" + name.upper().replace("-", "_")
                meta[key] = f"{meta[key]}, {value}" if key in meta else value
            django = Client(raise_request_exception=False, REMOTE_ADDR=peer or "")
            response = django.get(path, **meta)  # type: ignore[arg-type]
            return Reply(response.status_code, response.content, _lower(response.items()))
        if framework == "flask":
            flask = request.getfixturevalue("flask_app_shared").test_client()
            flask.environ_base["REMOTE_ADDR"] = peer or ""
            reply = flask.get(path, headers=lines)
            return Reply(reply.status_code, reply.get_data(), _lower(reply.headers.items()))
        app = request.getfixturevalue("fastapi_app_shared")
        return asyncio.run(_asgi_get(app, peer, lines, path))

    return send


async def _asgi_get(app: Any, peer: str | None, lines: list[tuple[str, str]], path: str) -> Reply:
    import httpx

    client = (peer, 123) if peer is not None else None
    transport = httpx.ASGITransport(app, raise_app_exceptions=False, client=client)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get(path, headers=lines)
    return Reply(response.status_code, response.content, _lower(response.headers.items()))


def _lower(items: Any) -> dict[str, str]:
    return {key.lower(): value for key, value in items}


@pytest.fixture(scope="session")
def fastapi_app_shared() -> Any:
    from markets_ratelimit.fastapi_app import create_app

    return create_app(_unlimited())


@pytest.fixture(scope="session")
def flask_app_shared() -> Any:
    from markets_ratelimit.flask_app import create_app

    return create_app(_unlimited())


def _unlimited() -> RateLimitConfig:
    from patterns_workbook.testing.redis_factory import make_redis

    return RateLimitConfig(SlidingWindowLimiter(make_redis(), limit=10**9, window=1))


@pytest.fixture
def fastapi_app(redis: Any) -> Any:
    """The FastAPI app with a limit no fuzzer reaches, market 1 stored.

    For the maintainer suite's OpenAPI fuzzing (schemathesis); no lab test requests it.
    """
    from markets_ratelimit.fastapi_app import create_app

    return create_app(RateLimitConfig(SlidingWindowLimiter(redis, limit=10**9, window=1)))
