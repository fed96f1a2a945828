"""The request-id middleware (lab 04 teaches it). Given.

`settings.MIDDLEWARE` puts it first, so `request.request_id` is set before any other
middleware or view runs, and every response — a 404 or a 500 too — leaves with the header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from markets_logging.requestid import HEADER, accept_or_mint


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = accept_or_mint(request.headers.get(HEADER))  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = request.request_id  # type: ignore[attr-defined]
        return response
