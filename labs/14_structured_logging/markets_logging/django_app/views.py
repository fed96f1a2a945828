"""Two DRF views, the exception handler and Django's 404/500 handlers. Given.

`settings.MARKETS_SERVICE` holds the service; `settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]`
points at `exception_handler` (see the lab's conftest.py).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_logging.envelope import code_for_status, error_body, not_found, server_error
from markets_logging.service import Market, MarketNotFound, MarketService

log = logging.getLogger("markets.api")


def market_service() -> MarketService:
    return settings.MARKETS_SERVICE


def market_json(market: Market) -> dict[str, Any]:
    return {"id": market.id, "name": market.name, "volume": str(market.volume)}


class MarketDetail(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        # Someone's debugging aid, left in: every header, verbatim. Redaction (task 1) is
        # what keeps the Authorization and Cookie values out of the log.
        log.info("request headers", extra={"headers": request.headers})
        return Response(market_json(market_service().get(market_id)))


class MarketSummary(APIView):
    def get(self, request: Request) -> Response:
        return Response(market_service().summary())


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: a missing market and DRF's own errors in the envelope.

    None for anything else: Django logs it (`django.request`, with its traceback) and
    answers with `server_error` below.
    """
    request_id = context["request"].request_id
    if isinstance(exc, MarketNotFound):
        return Response(not_found(exc.market_id, request_id), status=404)
    if isinstance(exc, exceptions.APIException):
        body = error_body(code_for_status(exc.status_code), str(exc.detail), request_id)
        return Response(body, status=exc.status_code)
    return None


def not_found_view(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404: a URL no route matches."""
    body = error_body("not_found", f"No resource at {request.path}.", request.request_id)  # type: ignore[attr-defined]
    return JsonResponse(body, status=404)


def server_error_view(request: HttpRequest) -> JsonResponse:
    """Django's handler500: nothing about the exception leaves the server."""
    return JsonResponse(server_error(request.request_id), status=500)  # type: ignore[attr-defined]
