"""The two routes in Django: one plain view, the URLconf and envelope handlers. Given code.

The repository is `settings.MARKETS_REPOSITORY` (a `CachedMarketRepository`; tests swap it).
No transaction here: the repository commits its own writes, so `update` returning is the
commit. Over the Django ORM, invalidate in `transaction.on_commit` instead (README).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path

from markets_cache.api import ApiError, code_for_status, edit, error_body, show

SERVED = ("GET", "PATCH")


def market(request: HttpRequest, market_id: int) -> HttpResponse:
    if request.method not in SERVED:
        response = _error(405, code_for_status(405), f"Method {request.method} not allowed.")
        response["Allow"] = ", ".join(SERVED)
        return response
    repository = settings.MARKETS_REPOSITORY
    try:
        if request.method == "GET":
            return JsonResponse(show(repository, market_id))
        content_type = request.META.get("CONTENT_TYPE")
        return JsonResponse(edit(repository, market_id, request.body, content_type))
    except ApiError as exc:
        return _error(exc.status, exc.code, exc.message, exc.details)


def _error(
    status: int, code: str, message: str, details: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, details), status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(404, "not_found", "No such resource.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(400, "bad_request", "The request could not be understood.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(500, "internal_error", "Something went wrong on our side.")


urlpatterns: list[Any] = [path("markets/<int:market_id>", market)]
handler400 = bad_request
handler404 = not_found
handler500 = server_error
