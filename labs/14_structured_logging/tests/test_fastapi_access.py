"""Task 4, FastAPI only: the ASGI middleware lets what is not an HTTP request through."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from markets_logging.fastapi_access import AccessLogMiddleware

pytestmark = [pytest.mark.fastapi, pytest.mark.task(4)]


@pytest.mark.parametrize("kind", ["lifespan", "websocket"])
def test_a_scope_that_is_not_http_passes_straight_through(kind: str, logs: Any) -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)

    async def receive() -> dict[str, Any]:
        return {"type": f"{kind}.startup" if kind == "lifespan" else "websocket.connect"}

    async def send(message: Any) -> None:
        return None

    scope = {"type": kind}  # no "state", no "method": the request-id middleware set nothing
    advice = (
        "uvicorn sends 'lifespan' at start-up and 'websocket' for each socket: pass any "
        "scope whose type is not 'http' on, untouched and unlogged (task 4)"
    )
    try:
        asyncio.run(AccessLogMiddleware(app)(scope, receive, send))
    except Exception as exc:  # a KeyError on scope["state"], say: the learner's bug, shown
        pytest.fail(f"the middleware raised {exc!r} on a {kind!r} scope; {advice}")
    assert seen == [scope], f"a {kind!r} scope reached the app as {seen}; {advice}"
    lines = logs.lines()
    assert not lines, f"a {kind!r} scope was logged: {lines}; only HTTP requests are (task 4)"


def test_the_duration_covers_a_streamed_body(service: Any, logs: Any, as_client: Any) -> None:
    from fastapi.responses import StreamingResponse
    from loglines import access_lines, shown

    from markets_logging.fastapi_app import create_app

    app = create_app(service)

    body: dict[str, float] = {}

    async def chunks() -> Any:
        body["first"] = time.perf_counter()  # the headers have gone out
        yield b"first,"
        await asyncio.sleep(0.3)  # the body is still being produced
        yield b"last"
        body["last"] = time.perf_counter()

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(chunks(), media_type="text/csv")

    with as_client(app) as client:
        reply = client.get("/export")
    assert reply.status == 200 and reply.body == b"first,last", (reply.status, reply.body)
    lines = logs.lines()
    found = access_lines(lines)
    assert len(found) == 1, f"GET /export wrote {len(found)} access lines:{shown(lines)}"
    duration = found[0].get("duration_ms")
    # At least the time between the first chunk and the last: however slow the machine is
    # before the headers go out, a line written at 'http.response.start' misses 300 ms.
    streamed = round((body["last"] - body["first"]) * 1000, 1)
    assert isinstance(duration, int | float) and duration >= streamed, (
        f"a streamed response whose body took {streamed} ms after its headers logged "
        f"duration_ms={duration!r}; expected at least {streamed}. 'http.response.start' only sends "
        "the status and headers: the body follows in 'http.response.body' messages. Log "
        "when the app returns — the request has ended then — not when the response starts "
        "(task 4)"
    )
