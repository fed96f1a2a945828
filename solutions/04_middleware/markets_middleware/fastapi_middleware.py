"""The request pipeline in FastAPI: two pure-ASGI middlewares and a gate dependency.

A pure-ASGI middleware is a class around the next app: `__call__(scope, receive, send)`
handles one request. It sees the request in `scope` on the way in, and the response as the
`http.response.start` message passed to `send` on the way out. It runs before routing, so
it does not know the route: the gate is a dependency of the whole app instead, which runs
once the router has chosen the route (`request.scope["route"]`). Starlette runs the
middleware added *last* outermost.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from markets_middleware import auth, clock
from markets_middleware.contract import (
    PUBLIC_ROUTES,
    REQUEST_ID_HEADER,
    TIMING_HEADER,
    not_authenticated,
)
from markets_middleware.headers import request_id_from, server_timing


class RequestIdMiddleware:
    """Give every request an id (`request.state.request_id`) and echo it as `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER))
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


class TimingMiddleware:
    """`Server-Timing: app;dur=<ms>`: the time until the response starts, read from `clock`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = clock.now()

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[TIMING_HEADER] = server_timing(clock.now() - started)
            await send(message)

        await self.app(scope, receive, send_timed)


def require_principal(request: Request) -> None:
    """The gate, a dependency of every route: a token unless the route is public.

    `request.scope["route"]` is the route the router chose, never the text of the path;
    the user is `request.state.principal`.
    """
    if (request.method, request.scope["route"].name) in PUBLIC_ROUTES:
        return
    principal = auth.authenticate(request.headers.get("authorization"))
    if principal is None:
        raise not_authenticated()
    request.state.principal = principal


def install(app: FastAPI) -> None:
    """The middleware, outermost first: request id, then timing (around the gate)."""
    app.add_middleware(TimingMiddleware)  # added first: inner
    app.add_middleware(RequestIdMiddleware)  # added last: outermost
