"""A URLconf with the given routes and two added later, as a project adds them.

`test_auth_gate.py::test_a_route_added_later_is_protected_by_default` serves it (Django's
ROOT_URLCONF for that test): a default-deny gate protects the new routes the day they are
added, with no change to the gate.
"""

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_middleware.django_app import urls, views

handler404 = views.no_route
handler500 = views.server_error


class MarketOrders(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        return Response({"orders": f"the orders of {request.principal}"})


class HealthDeep(APIView):
    def get(self, request: Request) -> Response:
        return Response({"orders": f"the database's health, for {request.principal}"})


urlpatterns = [
    *urls.urlpatterns,
    path("api/markets/<int:market_id>/orders", MarketOrders.as_view(), name="market-orders"),
    path("api/health/deep", HealthDeep.as_view(), name="health-deep"),
]
