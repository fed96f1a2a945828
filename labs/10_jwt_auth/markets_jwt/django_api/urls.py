"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given code."""

from django.urls import path

from markets_jwt.django_api import views

handler404 = views.unrouted  # a URL no route matches: a 404 in the envelope too

urlpatterns = [
    path("auth/token", views.TokenView.as_view(), name="token"),
    path("auth/refresh", views.RefreshView.as_view(), name="refresh"),
    path("markets", views.MarketList.as_view(), name="market-list"),
    path("markets/<int:market_id>", views.MarketDetail.as_view(), name="market-detail"),
]
