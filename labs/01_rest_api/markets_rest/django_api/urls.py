"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given code."""

from django.urls import path

from markets_rest.django_api import views

# The resolver's own 404 (no route matched: /markets/abc) happens before any DRF view runs,
# so DRF's EXCEPTION_HANDLER never sees it; Django answers it with this view (task 5).
handler404 = views.not_found

urlpatterns = [
    path("markets", views.MarketList.as_view(), name="market-list"),
    path("markets/<int:market_id>", views.MarketDetail.as_view(), name="market-detail"),
]
