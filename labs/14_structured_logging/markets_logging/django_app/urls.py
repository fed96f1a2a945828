"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given."""

from django.urls import path

from markets_logging.django_app import views

handler404 = views.not_found_view
handler500 = views.server_error_view

urlpatterns = [
    path("markets/summary", views.MarketSummary.as_view(), name="market-summary"),
    path("markets/<int:market_id>", views.MarketDetail.as_view(), name="market-detail"),
]
