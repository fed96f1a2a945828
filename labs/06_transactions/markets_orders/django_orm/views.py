"""POST /orders on Django REST framework: a thin adapter over `services.place_order_once`. Given.

Every error leaves in the envelope (`http_api`): DRF's own exceptions (405, 415, a body that is
not JSON) through `exception_handler`, which the lab's settings name as DRF's
EXCEPTION_HANDLER; a URL no route matches and an unexpected crash through Django's
`handler404`/`handler500` (see `urls.py`), which run before or outside any DRF view.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.decorators import api_view
from rest_framework.exceptions import APIException, ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from markets_orders import http_api as http
from markets_orders.django_orm import services
from markets_orders.django_orm.models import Market, User
from markets_orders.orders import OrderError


@api_view(["POST"])
def create_order(request: Request) -> Response:
    try:
        body = request.data  # DRF parses here: 415 for another media type, 400 for bad JSON
    except RecursionError:  # JSON nested deeper than Python's parser goes
        raise ParseError("the JSON is nested too deeply") from None
    order, problems = http.parse_order(body)
    key = http.valid_key(request.headers.get(http.IDEMPOTENCY_KEY))
    if key is None:
        problems[http.IDEMPOTENCY_KEY] = [http.KEY_PROBLEM]
    if order is None or key is None:
        return Response(http.invalid(problems), status=400)
    user = User.objects.filter(pk=order.user_id).first()
    market = Market.objects.filter(pk=order.market_id).first()
    if user is None or market is None:
        return Response(http.NOT_FOUND, status=404)
    try:
        placed = services.place_order_once(
            key=key, user=user, market=market, amount=order.amount, side=order.side
        )
    except OrderError as exc:
        status, refused = http.refusal(exc)
        return Response(refused, status=status)
    return Response(http.order_json(placed), status=201)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: its APIExceptions (405, 415, 400 for bad JSON) in the envelope.

    Anything else returns None: Django then answers with `server_error` below.
    """
    if not isinstance(exc, APIException):
        return None
    if isinstance(exc, ParseError):
        body = http.invalid_json(str(exc.detail))
    else:
        body = http.for_status(exc.status_code, str(exc.detail))
    # DRF's finalize_response adds `Allow` (every method the view serves) to a 405.
    return Response(body, status=exc.status_code)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404: a URL no route matches is a 404 in the envelope too."""
    return JsonResponse(http.for_status(404, "no such resource"), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    """Django's handler500: a crash answers 500 in the envelope and reveals nothing."""
    return JsonResponse(http.SERVER_ERROR, status=500)
