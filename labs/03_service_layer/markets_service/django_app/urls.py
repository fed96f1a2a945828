"""Routes of the Django app, and Django's own 404 and 500 in the JSON envelope. Given."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path, register_converter

from . import views


class MarketIdConverter:
    """`<id:market_id>`: 1 to 19 ASCII digits, so a 5,000-digit id never reaches `int()`."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(MarketIdConverter, "id")

urlpatterns = [
    path("markets", views.create_market),
    path("markets/search", views.search_markets),
    path("markets/<id:market_id>", views.get_market),
    path("markets/<id:market_id>/transitions", views.transition_market),
]


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "details": {}}}, status=status)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """A URL no route matches (`/markets/abc`): 404 in the envelope, not Django's HTML page."""
    return _error(404, "not_found", "No such resource.")


def server_error(request: HttpRequest) -> JsonResponse:
    """A bug: 500 in the envelope, and nothing about it (the traceback goes to the log)."""
    return _error(500, "internal_error", "Internal server error")


handler404 = not_found
handler500 = server_error
