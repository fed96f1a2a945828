"""The Markets API in Django: plain views, the URLconf and envelope handlers. Given code.

The rate limit is a middleware (`django_middleware.RateLimitMiddleware`, task 4) listed in
`MIDDLEWARE`; it reads its `RateLimitConfig` from `settings.MARKETS_RATE_LIMIT`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from markets_ratelimit.api import (
    MARKETS,
    ApiError,
    code_for_status,
    error_body,
    get_market,
    parse_position,
    position_json,
)

View = Callable[..., HttpResponse]


def _serves(*methods: str) -> Callable[[View], View]:
    """Answer other methods with 405 and `Allow`, and an `ApiError` in the envelope."""

    def decorate(view: View) -> View:
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                response = _error(
                    405, code_for_status(405), f"Method {request.method} not allowed."
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, **kwargs)
            except ApiError as exc:
                return _error(exc.status, exc.code, exc.message, exc.details)

        return wrapper

    return decorate


def _error(
    status: int, code: str, message: str, details: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


@_serves("GET")
def list_markets(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"results": list(MARKETS.values())})


@_serves("GET")
def retrieve_market(request: HttpRequest, market_id: int) -> HttpResponse:
    return JsonResponse(get_market(market_id))


@_serves("POST")
def create_position(request: HttpRequest, market_id: int) -> HttpResponse:
    get_market(market_id)
    position = parse_position(request.body, request.META.get("CONTENT_TYPE"))
    return JsonResponse(position_json(market_id, position), status=201)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(404, "not_found", "No such resource.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(400, "bad_request", "The request could not be understood.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(500, "internal_error", "Something went wrong on our side.")


urlpatterns = [
    path("markets", list_markets),
    path("markets/<int:market_id>", retrieve_market),
    path("markets/<int:market_id>/positions", create_position),
]
handler400 = bad_request
handler404 = not_found
handler500 = server_error
