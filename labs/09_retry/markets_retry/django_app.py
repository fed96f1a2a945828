"""The price endpoint in Django: a plain view, the URLconf and envelope handlers. Given code.

The view reads the pricing client (a `RetryingClient`) from `settings.MARKETS_PRICING`; the
tests set it to one over an `httpx.MockTransport`.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from markets_retry.api import ApiError, code_for_status, error_body, parse_market_id
from markets_retry.pricing import fetch_price

SERVED = ("GET", "HEAD")


def market_price(request: HttpRequest, market_id: str) -> HttpResponse:
    if request.method not in SERVED:
        response = _error(ApiError(405, code_for_status(405), f"{request.method} not allowed."))
        response["Allow"] = ", ".join(SERVED)
        return response
    try:
        return JsonResponse(fetch_price(settings.MARKETS_PRICING, parse_market_id(market_id)))
    except ApiError as exc:
        return _error(exc)


def _error(exc: ApiError) -> JsonResponse:
    return JsonResponse(error_body(exc.code, exc.message), status=exc.status, headers=exc.headers)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(ApiError(404, "not_found", "No such resource."))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(ApiError(400, "bad_request", "The request could not be understood."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(ApiError(500, "internal_error", "Something went wrong on our side."))


urlpatterns = [path("markets/<str:market_id>/price", market_price)]
handler400 = bad_request
handler404 = not_found
handler500 = server_error
