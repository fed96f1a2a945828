"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given code.

Each pattern's `name` is the route name of `contract.PUBLIC_ROUTES`.
"""

from django.urls import path

from markets_middleware.django_app import views

handler404 = views.no_route
handler500 = views.server_error

urlpatterns = [
    path("api/health", views.Health.as_view(), name="health"),
    path("api/auth/login", views.Login.as_view(), name="login"),
    path("api/auth/me", views.Me.as_view(), name="me"),
    path("api/markets", views.MarketList.as_view(), name="market-list"),
    path("api/markets/<int:market_id>", views.MarketDetail.as_view(), name="market-detail"),
    path(
        "api/markets/<int:market_id>/positions",
        views.MarketPositions.as_view(),
        name="market-positions",
    ),
]
