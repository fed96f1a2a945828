"""The request pipeline in Flask: request hooks registered on the app.

`before_request` functions run in the order they were registered, and the first one to
return a response ends the request there; `after_request` functions run in the *reverse*
order, on every response, including one a `before_request` returned.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from markets_middleware import auth, clock
from markets_middleware.contract import (
    PUBLIC_ROUTES,
    REQUEST_ID_HEADER,
    TIMING_HEADER,
    not_authenticated,
)
from markets_middleware.flask_app import bp, error_response
from markets_middleware.headers import request_id_from, server_timing

PUBLIC_ENDPOINTS = frozenset((method, f"{bp.name}.{name}") for method, name in PUBLIC_ROUTES)


def request_id(app: Flask) -> None:
    """Give every request an id (`g.request_id`) and echo it as `X-Request-ID`."""

    @app.before_request
    def accept_request_id() -> None:
        g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))

    @app.after_request
    def echo_request_id(response: Response) -> Response:
        response.headers[REQUEST_ID_HEADER] = g.request_id
        return response


def timing(app: Flask) -> None:
    """`Server-Timing: app;dur=<ms>`: the time between these two hooks, read from `clock`."""

    @app.before_request
    def start_timer() -> None:
        g.timing_started = clock.now()

    @app.after_request
    def add_server_timing(response: Response) -> Response:
        response.headers[TIMING_HEADER] = server_timing(clock.now() - g.timing_started)
        return response


def auth_gate(app: Flask) -> None:
    """Refuse every routed endpoint outside `PUBLIC_ROUTES` without a valid bearer token.

    `request.url_rule` is the rule the router matched (None when none did: the 404 or 405
    comes next); the user is `g.principal`.
    """

    @app.before_request
    def require_token() -> Response | None:
        rule = request.url_rule
        if rule is None or (request.method, rule.endpoint) in PUBLIC_ENDPOINTS:
            return None
        principal = auth.authenticate(request.headers.get("Authorization"))
        if principal is None:
            return error_response(not_authenticated())
        g.principal = principal
        return None


def install(app: Flask) -> None:
    """The pipeline, outermost first: request id, timing, then the gate."""
    request_id(app)
    timing(app)
    auth_gate(app)
