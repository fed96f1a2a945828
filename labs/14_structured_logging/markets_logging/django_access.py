"""The access log as Django middleware (task 4). `settings.MIDDLEWARE` lists it right after
`RequestIdMiddleware`, so `request.request_id` is already set when it runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class AccessLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        raise NotImplementedError(
            "TODO(task 4): a request scope with the request id around get_response, then "
            "one access line (route from request.resolver_match) — see README task 4"
        )
