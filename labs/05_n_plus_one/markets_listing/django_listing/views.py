"""`GET /markets` in Django REST framework (given): the selector feeds the serializer."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_listing.django_listing.selectors import market_listing
from markets_listing.django_listing.serializers import MarketListSerializer


class MarketListView(APIView):
    def get(self, request: Request) -> Response:
        serializer = MarketListSerializer(market_listing(), many=True)
        return Response({"markets": serializer.data})
