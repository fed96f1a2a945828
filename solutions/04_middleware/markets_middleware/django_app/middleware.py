"""The request pipeline in Django: three middleware classes in the modern style.

Each is a callable class: `__init__(get_response)` once at start-up, `__call__(request)` per
request. Code before `self.get_response(request)` runs on the way in, code after it on the
way out; the order of `middleware_order()` (what a project puts in `settings.MIDDLEWARE`)
is outermost first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from markets_middleware import auth, clock
from markets_middleware.contract import (
    PUBLIC_ROUTES,
    REQUEST_ID_HEADER,
    TIMING_HEADER,
    not_authenticated,
)
from markets_middleware.django_app.views import error_response, served_methods
from markets_middleware.headers import request_id_from, server_timing

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Give every request an id (`request.request_id`) and echo it as `X-Request-ID`."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class TimingMiddleware:
    """`Server-Timing: app;dur=<ms>`: the time spent inside this middleware, read from `clock`."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = clock.now()
        response = self.get_response(request)
        response[TIMING_HEADER] = server_timing(clock.now() - started)
        return response


class AuthGateMiddleware:
    """Refuse every resolved route outside `PUBLIC_ROUTES` without a valid bearer token.

    `process_view` runs once the URL is resolved, so the decision is made on the route the
    view was chosen by, never on the text of the path. The user is `request.principal`:
    `request.user` belongs to django.contrib.auth.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        route = (request.method, request.resolver_match.url_name)
        if route in PUBLIC_ROUTES or request.method not in served_methods(view_func):
            return None  # a public route, or a method the view answers with its own 405
        principal = auth.authenticate(request.headers.get("Authorization"))
        if principal is None:
            return error_response(request, not_authenticated())
        request.principal = principal
        return None


def middleware_order() -> list[str]:
    """`settings.MIDDLEWARE` for the pipeline, outermost first."""
    return [
        f"{__name__}.RequestIdMiddleware",
        f"{__name__}.TimingMiddleware",
        f"{__name__}.AuthGateMiddleware",
    ]
