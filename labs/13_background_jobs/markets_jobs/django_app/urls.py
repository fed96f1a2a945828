"""The URLconf (ROOT_URLCONF in the lab's conftest.py). Given."""

from django.urls import path

from markets_jobs.django_app import views

# The URL resolver's 404 and an unhandled crash happen outside any DRF view, so DRF's
# EXCEPTION_HANDLER never sees them: Django answers them with these views, in the envelope.
handler404 = views.not_found
handler500 = views.server_error

urlpatterns = [
    path("markets", views.create_market, name="markets"),
    path("markets/<str:market_id>", views.market_detail, name="market"),
]
