"""The Markets API in Django REST framework: two APIViews and the error envelope.

`settings.MARKETS_STORE` holds the store; `settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]`
points at `exception_handler` below (see the lab's conftest.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_rest.store import MarketStore


def market_store() -> MarketStore:
    """The store this project serves."""
    return settings.MARKETS_STORE


class MarketList(APIView):
    def get(self, request: Request) -> Response:
        """200: one page of markets, filtered, ordered and paginated (task 1)."""
        raise NotImplementedError(
            "TODO(task 1): list markets with listing.parse_list_query and page_links "
            "— see README task 1"
        )

    def post(self, request: Request) -> Response:
        """201 with a Location header and the new market (task 3)."""
        raise NotImplementedError(
            "TODO(task 3): validate with MarketSerializer, create, answer 201 + Location "
            "— see README task 3"
        )


class MarketDetail(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        """200 and the market, or 404 in the envelope (task 2)."""
        raise NotImplementedError("TODO(task 2): retrieve one market — see README task 2")

    def put(self, request: Request, market_id: int) -> Response:
        """Replace every writable field; omitted optional fields take their defaults (task 4)."""
        raise NotImplementedError("TODO(task 4): replace the market (PUT) — see README task 4")

    def patch(self, request: Request, market_id: int) -> Response:
        """Change only the fields sent (task 4)."""
        raise NotImplementedError(
            "TODO(task 4): update only the fields sent (PATCH) — see README task 4"
        )

    def delete(self, request: Request, market_id: int) -> Response:
        """204 with no body (task 5)."""
        raise NotImplementedError("TODO(task 5): delete the market, answer 204 — see README task 5")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error in the envelope.

    ApiError (task 1), the store's errors (task 2), DRF's ValidationError, ParseError and
    UnsupportedMediaType (task 3), and its other exceptions, such as MethodNotAllowed and
    NotAcceptable (task 5).

    None lets Django answer a plain 500, with no stack trace (DEBUG is off). DRF adds the
    `Allow` header to every APIView response, 405 included.
    """
    raise NotImplementedError(
        "TODO(task 1): render ApiError in the error envelope (contract.error_body); tasks 2, 3 "
        "and 5 add more exceptions — see README task 1"
    )


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404: a URL no route matches is a 404 in the envelope too (task 5).

    The URL resolver answers before any DRF view runs, so `exception_handler` never sees it.
    """
    raise NotImplementedError(
        "TODO(task 5): answer 404 with contract.error_body (code_for_status(404)) as a "
        "JsonResponse — see README task 5"
    )
