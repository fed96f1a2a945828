"""The access log as pure ASGI middleware (task 4). It runs inside `RequestIdMiddleware`,
which has put the id in `scope["state"]["request_id"]`."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError(
            "TODO(task 4): a request scope around the app, the status from "
            "http.response.start, one access line (route from scope['route']), an exception "
            "logged once — see README task 4"
        )
