"""Tasks 2 and 3, FastAPI only: the middlewares are pure ASGI, and polite to the server.

Each middleware is called here the way a server calls it, one ASGI message at a time:
a `lifespan` scope at start-up (uvicorn sends it before any request), an `http` scope whose
`state` the server already filled, and a request whose app sets a context variable.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from starlette.middleware.base import BaseHTTPMiddleware

from markets_middleware import fastapi_middleware

pytestmark = pytest.mark.fastapi

TASK_OF = {"RequestIdMiddleware": 2, "TimingMiddleware": 3}
SET_BY_THE_APP: contextvars.ContextVar[str] = contextvars.ContextVar("set_by_the_app")


def run(coroutine: Awaitable[Any]) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def http_scope(**extra: Any) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/api/health",
        "raw_path": b"/api/health",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"x-request-id", b"asgi-1")],
        "server": ("testserver", 80),
        "client": ("testclient", 5000),
        **extra,
    }


def call_http(
    name: str, scope: dict[str, Any], app: Callable[..., Awaitable[None]]
) -> list[dict[str, Any]]:
    """Send one HTTP request through the middleware `name` around `app`; the messages sent."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run(getattr(fastapi_middleware, name)(app)(scope, receive, send))
    return sent


async def ok(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def check_lifespan(name: str) -> None:
    task = TASK_OF[name]
    messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    seen: list[dict[str, Any]] = []
    sent: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:  # what Starlette's router does
        seen.append(dict(scope))
        for _ in range(2):
            message = await receive()
            await send({"type": message["type"] + ".complete"})

    async def receive() -> dict[str, Any]:
        return next(messages)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])

    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    advice = (
        "a server sends the 'lifespan' scope once, at start-up, before any request: it has no "
        "headers and no method, and the app's startup and shutdown (database pools, say) run "
        "only if every middleware passes it on untouched — check scope['type'] != 'http' "
        f"first and call the app as it is (task {task})"
    )
    try:
        run(getattr(fastapi_middleware, name)(app)(scope, receive, send))
    except Exception as exc:  # a KeyError on scope["headers"], say: the learner's bug, shown
        pytest.fail(f"{name} raised {exc!r} on a lifespan scope; {advice}")
    completed = ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert seen == [scope] and sent == completed, (
        f"{name} on a lifespan scope: the app saw {seen}, the server got {sent}; expected the "
        f"scope unchanged and both '.complete' messages through; {advice}"
    )


@pytest.mark.task(2)
def test_fastapi_request_id_passes_the_lifespan_scope_through() -> None:
    check_lifespan("RequestIdMiddleware")


@pytest.mark.task(3)
def test_fastapi_timing_passes_the_lifespan_scope_through() -> None:
    check_lifespan("TimingMiddleware")


@pytest.mark.task(2)
def test_fastapi_request_id_keeps_the_state_the_server_put_in_the_scope() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope.get("state") or {})
        await ok(scope, receive, send)

    call_http("RequestIdMiddleware", http_scope(state={"db": "the pool"}), app)
    assert seen == {"db": "the pool", "request_id": "asgi-1"}, (
        "an HTTP scope arrived with state {'db': 'the pool'} (what a lifespan handler yields, "
        f"copied into every request by the server) and X-Request-ID: asgi-1; the app saw state "
        f"{seen}; expected both keys: add request_id to scope['state'], creating the dict only "
        "when it is missing — a new dict throws away what the server put there (task 2)"
    )
    fresh: dict[str, Any] = {}

    async def app_without_state(scope: Any, receive: Any, send: Any) -> None:
        fresh.update(scope.get("state") or {})
        await ok(scope, receive, send)

    call_http("RequestIdMiddleware", http_scope(), app_without_state)
    assert fresh == {"request_id": "asgi-1"}, (
        f"an HTTP scope without 'state' reached the app with state {fresh}; expected "
        "{'request_id': 'asgi-1'}: create scope['state'] when it is missing (task 2)"
    )


def check_pure_asgi(name: str) -> None:
    task = TASK_OF[name]
    cls = getattr(fastapi_middleware, name)
    why = (
        "the README's track notes ask for pure ASGI: BaseHTTPMiddleware's call_next runs the "
        "rest of the app in a task of its own (the notebook counts them), so a context "
        "variable the endpoint sets — structlog's bound fields, say — is gone when the "
        "response comes back through the middleware, and every request pays for the task"
    )
    assert not issubclass(cls, BaseHTTPMiddleware), (
        f"{name} is a BaseHTTPMiddleware (dispatch / call_next); {why}: write a class with "
        f"__init__(app) and async __call__(scope, receive, send) (task {task})"
    )
    tasks: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        tasks.append(asyncio.current_task())
        SET_BY_THE_APP.set("by the app")
        await ok(scope, receive, send)

    async def request() -> tuple[Any, str]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await cls(app)(http_scope(), receive, send)
        return asyncio.current_task(), SET_BY_THE_APP.get("unset")

    caller, seen = run(request())
    assert tasks == [caller] and seen == "by the app", (
        f"{name} ran the app in {'the same' if tasks == [caller] else 'another'} asyncio task, "
        f"and a context variable the app set reads {seen!r} after the middleware returned; "
        f"expected the same task and 'by the app': {why} (task {task})"
    )


@pytest.mark.task(2)
def test_fastapi_request_id_is_pure_asgi() -> None:
    check_pure_asgi("RequestIdMiddleware")


@pytest.mark.task(3)
def test_fastapi_timing_is_pure_asgi() -> None:
    check_pure_asgi("TimingMiddleware")
