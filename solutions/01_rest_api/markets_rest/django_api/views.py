"""The Markets API in Django REST framework: two APIViews and the error envelope.

`settings.MARKETS_STORE` holds the store; `settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]`
points at `exception_handler` below (see the lab's conftest.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_rest.contract import (
    ApiError,
    code_for_status,
    error_body,
    from_store_error,
    invalid_json,
    validation_failed,
)
from markets_rest.django_api.serializers import MarketSerializer
from markets_rest.domain import MarketData
from markets_rest.listing import page_links, parse_list_query
from markets_rest.store import MarketStore, StoreError


def market_store() -> MarketStore:
    """The store this project serves."""
    return settings.MARKETS_STORE


class MarketList(APIView):
    def get(self, request: Request) -> Response:
        """200: one page of markets, filtered, ordered and paginated (task 1)."""
        query = parse_list_query(request.query_params)
        page = market_store().list(
            status=query.status, ordering=query.ordering, limit=query.limit, offset=query.offset
        )
        next_url, previous_url = page_links(request.build_absolute_uri(), query, page.count)
        return Response(
            {
                "count": page.count,
                "next": next_url,
                "previous": previous_url,
                "results": MarketSerializer(page.items, many=True).data,
            }
        )

    def post(self, request: Request) -> Response:
        """201 with a Location header and the new market (task 3)."""
        serializer = MarketSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        market = market_store().create(MarketData(**serializer.validated_data))
        location = request.build_absolute_uri(reverse("market-detail", args=[market.id]))
        return Response(
            MarketSerializer(market).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": location},
        )


class MarketDetail(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        """200 and the market, or 404 in the envelope (task 2)."""
        return Response(MarketSerializer(market_store().get(market_id)).data)

    def put(self, request: Request, market_id: int) -> Response:
        """Replace every writable field; omitted optional fields take their defaults (task 4)."""
        serializer = MarketSerializer(data=json_body(request))
        serializer.is_valid(raise_exception=True)
        market = market_store().replace(market_id, MarketData(**serializer.validated_data))
        return Response(MarketSerializer(market).data)

    def patch(self, request: Request, market_id: int) -> Response:
        """Change only the fields sent (task 4)."""
        serializer = MarketSerializer(data=json_body(request), partial=True)
        serializer.is_valid(raise_exception=True)
        market = market_store().update(market_id, dict(serializer.validated_data))
        return Response(MarketSerializer(market).data)

    def delete(self, request: Request, market_id: int) -> Response:
        """204 with no body (task 5)."""
        market_store().delete(market_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def json_body(request: Request) -> Any:
    """The parsed JSON body (`request.data`), refusing what DRF would let through (task 3).

    DRF hands a view `{}` for an empty body — a PATCH with no body would then change nothing
    and answer 200 — and its JSONParser lets a RecursionError out of `json.load` for an
    object nested thousands deep (a 500). Both are bodies that are not usable JSON: 400.
    """
    if not request.body:
        raise invalid_json("The body is empty.")
    try:
        return request.data
    except RecursionError:
        raise invalid_json("It is nested too deeply.") from None


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error in the envelope.

    ApiError (task 1), the store's errors (task 2), DRF's ValidationError, ParseError and
    UnsupportedMediaType (task 3), and its other exceptions, such as MethodNotAllowed and
    NotAcceptable (task 5).

    None lets Django answer a plain 500, with no stack trace (DEBUG is off). DRF adds the
    `Allow` header to every APIView response, 405 included.
    """
    error = _as_api_error(exc)
    if error is None:
        return None
    return Response(error_body(error.code, error.message, error.details), status=error.status)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404: a URL no route matches is a 404 in the envelope too (task 5)."""
    body = error_body(code_for_status(404), f"No resource at {request.path}.")
    return JsonResponse(body, status=404)


def _as_api_error(exc: Exception) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, StoreError):
        return from_store_error(exc)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return validation_failed(detail if isinstance(detail, dict) else {"body": detail})
    if isinstance(exc, exceptions.ParseError):
        return invalid_json()
    if isinstance(exc, exceptions.APIException):
        return ApiError(exc.status_code, code_for_status(exc.status_code), str(exc.detail))
    return None
