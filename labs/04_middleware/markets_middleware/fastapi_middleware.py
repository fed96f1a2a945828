"""The request pipeline in FastAPI: two pure-ASGI middlewares and a gate dependency.

A pure-ASGI middleware is a class around the next app: `__call__(scope, receive, send)`
handles one request. It sees the request in `scope` on the way in, and the response as the
`http.response.start` message passed to `send` on the way out. It runs before routing, so
it does not know the route: the gate is a dependency of the whole app instead
(`create_app(..., gate=require_principal)`), which runs once the router has chosen the route
(`request.scope["route"]`). Starlette runs the middleware added *last* outermost.

What you will use: `headers.request_id_from` and `headers.server_timing` (tasks 1, 3),
`contract.REQUEST_ID_HEADER`, `TIMING_HEADER`, `PUBLIC_ROUTES` and `not_authenticated()`,
`clock.now()`, `auth.authenticate(...)`, and Starlette's `Headers` and `MutableHeaders`
(`starlette.datastructures`).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.types import ASGIApp, Receive, Scope, Send


class RequestIdMiddleware:
    """Give every request an id (`request.state.request_id`) and echo it as `X-Request-ID`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError(
            "TODO(task 2): store scope['state']['request_id'], echo it as X-Request-ID — see "
            "README task 2"
        )


class TimingMiddleware:
    """`Server-Timing: app;dur=<ms>`: the time until the response starts, read from `clock`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError(
            "TODO(task 3): time the app with clock.now(), add Server-Timing — see README task 3"
        )


def require_principal(request: Request) -> None:
    """The gate, a dependency of every route: a token unless the route is public.

    Raise the ApiError to refuse (the given handler renders it); store the user in
    `request.state.principal`.
    """
    raise NotImplementedError(
        "TODO(task 4): a token unless (method, route name) is public — see README task 4"
    )


def install(app: FastAPI) -> None:
    """Add the two middlewares so the request id runs outermost, then timing."""
    raise NotImplementedError("TODO(task 5): add the middleware in order — see README task 5")
