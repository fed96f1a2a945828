"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given code."""

from django.urls import path

from markets_rbac.django_api import views

# The resolver's own 404 happens before any DRF view runs: Django answers it with this view.
handler404 = views.not_found

urlpatterns = [
    path("markets", views.MarketList.as_view(), name="market-list"),
    path("markets/<int:market_id>", views.MarketDetail.as_view(), name="market-detail"),
    path("markets/<int:market_id>/resolve", views.MarketResolve.as_view(), name="market-resolve"),
    path("users/<int:user_id>/role", views.UserRole.as_view(), name="user-role"),
]
