"""Routes, and the views Django calls for its own 404 and 500. Given."""

from __future__ import annotations

from django.urls import path, register_converter

from markets_errors.django_app import handlers, views


class MarketIdConverter:
    """`<id:market_id>`: 1 to 19 ASCII digits, so a 5,000-digit id never reaches `int()`."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(MarketIdConverter, "id")

urlpatterns = [
    path("markets", views.MarketList.as_view()),
    path("markets/<id:market_id>", views.MarketDetail.as_view()),
]

# A URL no route matches is resolved before any DRF view runs, and an exception DRF's
# handler leaves alone ends in Django's own 500: neither reaches EXCEPTION_HANDLER.
handler404 = handlers.not_found
handler500 = handlers.server_error
