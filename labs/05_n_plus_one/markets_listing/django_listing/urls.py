from django.urls import path

from markets_listing.django_listing.views import MarketListView

urlpatterns = [path("markets", MarketListView.as_view(), name="market-list")]
