"""The request pipeline in Django: three middleware classes in the modern style.

Each is a callable class: `__init__(get_response)` once at start-up, `__call__(request)` per
request. Code before `self.get_response(request)` runs on the way in, code after it on the
way out; the order of `middleware_order()` (what a project puts in `settings.MIDDLEWARE`)
is outermost first.

What you will use: `headers.request_id_from` and `headers.server_timing` (tasks 1, 3),
`contract.REQUEST_ID_HEADER`, `TIMING_HEADER`, `PUBLIC_ROUTES` and `not_authenticated()`,
`clock.now()`, `auth.authenticate(...)`, and from `django_app.views` the given
`error_response(request, error)` and `served_methods(view_func)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

GetResponse = Callable[[HttpRequest], HttpResponse]


class RequestIdMiddleware:
    """Give every request an id (`request.request_id`) and echo it as `X-Request-ID`."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError(
            "TODO(task 2): set request.request_id, echo it as X-Request-ID — see README task 2"
        )


class TimingMiddleware:
    """`Server-Timing: app;dur=<ms>`: the time spent inside this middleware, read from `clock`."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError(
            "TODO(task 3): time get_response with clock.now(), add Server-Timing — see README "
            "task 3"
        )


class AuthGateMiddleware:
    """Refuse every resolved route outside `PUBLIC_ROUTES` without a valid bearer token.

    `process_view` runs once the URL is resolved (`request.resolver_match`), so the decision
    is made on the route, never on the text of the path. The user goes in
    `request.principal`: `request.user` belongs to django.contrib.auth.
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
        """None lets the view run; a response (the 401) ends the request here."""
        raise NotImplementedError(
            "TODO(task 4): a token unless (method, url_name) is public — see README task 4"
        )


def middleware_order() -> list[str]:
    """`settings.MIDDLEWARE` for the pipeline: dotted paths of the classes, outermost first."""
    raise NotImplementedError(
        "TODO(task 5): list the three middleware classes in order — see README task 5"
    )
