"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given code."""

from django.urls import path

from markets_rest.django_api import views

urlpatterns = [
    path("markets", views.MarketList.as_view(), name="market-list"),
    path("markets/<int:market_id>", views.MarketDetail.as_view(), name="market-detail"),
]
