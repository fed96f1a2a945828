from django.urls import path

from markets_listing.django_listing import errors
from markets_listing.django_listing.views import MarketListView

urlpatterns = [path("markets", MarketListView.as_view(), name="market-list")]

# The URL resolver and a crash answer outside any DRF view, so DRF's EXCEPTION_HANDLER never
# sees them: Django's own handlers put them in the envelope too.
handler404 = errors.not_found
handler500 = errors.server_error
