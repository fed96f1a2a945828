"""POST /orders on Django REST framework: a thin adapter over `services.place_order_once`. Given."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from markets_orders import http_api as http
from markets_orders.django_orm import services
from markets_orders.django_orm.models import Market, User
from markets_orders.orders import SIDES, OrderError


class OrderIn(serializers.Serializer):
    # `user_id` stands in for the authenticated user: authentication is its own pattern.
    user_id = serializers.IntegerField(min_value=1)
    market_id = serializers.IntegerField(min_value=1)
    side = serializers.ChoiceField(choices=SIDES)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))


@api_view(["POST"])
def create_order(request: Request) -> Response:
    key = http.valid_key(request.headers.get(http.IDEMPOTENCY_KEY))
    if key is None:
        return Response(http.MISSING_KEY, status=400)
    form = OrderIn(data=request.data)
    if not form.is_valid():
        body = http.error_body("validation_error", "the order is invalid", form.errors)
        return Response(body, status=422)
    data = form.validated_data
    user = User.objects.filter(pk=data["user_id"]).first()
    market = Market.objects.filter(pk=data["market_id"]).first()
    if user is None or market is None:
        return Response(http.NOT_FOUND, status=404)
    try:
        placed = services.place_order_once(
            key=key, user=user, market=market, amount=data["amount"], side=data["side"]
        )
    except OrderError as exc:
        status, body = http.refusal(exc)
        return Response(body, status=status)
    return Response(http.order_json(placed), status=201)
