"""The access log as Django middleware (task 4). `settings.MIDDLEWARE` lists it right after
`RequestIdMiddleware`, so `request.request_id` is already set when it runs."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from markets_logging.access import log_access
from markets_logging.context import request_scope
from markets_logging.routes import template


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Django turns a view's exception into the handler500 response (and logs it, with
        # its traceback, on `django.request`) before it gets back here: nothing to catch.
        with request_scope(request_id=request.request_id):  # type: ignore[attr-defined]
            started = time.perf_counter()
            response = self.get_response(request)
            log_access(
                method=request.method or "",
                route=_route(request),
                status=response.status_code,
                started=started,
            )
        return response


def _route(request: HttpRequest) -> str | None:
    """The matched route's template; None for a URL no route matched."""
    match = request.resolver_match
    return template(match.route) if match is not None else None
