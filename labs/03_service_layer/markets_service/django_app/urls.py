"""Routes of the Django app. Given."""

from django.urls import path

from . import views

urlpatterns = [
    path("markets", views.create_market),
    path("markets/search", views.search_markets),
    path("markets/<int:market_id>", views.get_market),
    path("markets/<int:market_id>/transitions", views.transition_market),
]
