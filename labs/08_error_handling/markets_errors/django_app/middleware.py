"""The request-id middleware (lab 04 teaches it). Given.

First in `MIDDLEWARE`, so it wraps everything: the id is on `request.request_id` and in
`request_id.current` while the view, DRF's exception handler, `handler404` and `handler500`
run, and on every response's `X-Request-ID`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from markets_errors.request_id import HEADER, accept_or_mint, current


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.request_id = accept_or_mint(request.headers.get(HEADER))  # type: ignore[attr-defined]
        token = current.set(request.request_id)  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request.request_id  # type: ignore[attr-defined]
        return response
