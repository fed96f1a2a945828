"""The access log as pure ASGI middleware (task 4). It runs inside `RequestIdMiddleware`,
which has put the id in `scope["state"]["request_id"]`."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from markets_logging.access import log_access
from markets_logging.context import request_scope
from markets_logging.routes import template

log = logging.getLogger("markets.access")


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500  # what the client gets if the app raises before it starts a response

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        # Pure ASGI, not BaseHTTPMiddleware: the routes run in this task, inside this scope.
        with request_scope(request_id=scope["state"]["request_id"]):
            started = time.perf_counter()
            try:
                await self.app(scope, receive, send_recording_status)
            except Exception:
                # Starlette logs nothing; the server would, outside this scope (no request
                # id). Logged here, once, with the traceback and the request's fields.
                log.exception("unhandled exception")
                raise
            finally:
                route = scope.get("route")
                log_access(
                    method=scope["method"],
                    route=template(route.path) if route is not None else None,
                    status=status,
                    started=started,
                )
