"""Django REST framework views: parse, call the service, shape the reply. No rules here.

Domain errors are translated once, in `exception_handler`, which the settings name as
DRF's `EXCEPTION_HANDLER`; every view just lets them propagate.
"""

from __future__ import annotations

from typing import Any

from rest_framework.decorators import api_view
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..domain import DomainError
from ..web import (
    error_body,
    error_status,
    hit_json,
    market_json,
    read_limit,
    read_name,
    read_query,
    read_status,
)
from .services import market_service


@api_view(["POST"])
def create_market(request: Request) -> Response:
    """201 with the new market."""
    market = market_service().create_market(read_name(request.data))
    return Response(market_json(market), status=201)


@api_view(["GET"])
def search_markets(request: Request) -> Response:
    """200 with `{"results": [{"market": …, "score": …}, …]}`, best first."""
    query = read_query(request.query_params.get("q"))
    hits = market_service().search_markets(query, read_limit(request.query_params.get("limit")))
    return Response({"results": [hit_json(hit) for hit in hits]})


@api_view(["GET"])
def get_market(request: Request, market_id: int) -> Response:
    """200 with the market."""
    return Response(market_json(market_service().get_market(market_id)))


@api_view(["POST"])
def transition_market(request: Request, market_id: int) -> Response:
    """200 with the market in its new status."""
    market = market_service().transition(market_id, read_status(request.data))
    return Response(market_json(market))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the JSON envelope.

    A DomainError gets its status from `error_status`; DRF's own errors (a malformed body,
    a 405) keep the status and headers DRF chose. Anything else returns None: a plain 500.
    """
    if isinstance(exc, DomainError):
        return Response(error_body(exc), status=error_status(exc))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, APIException):
        response.data = _api_error_body(exc)
    return response


def _api_error_body(exc: APIException) -> dict[str, Any]:
    plain = isinstance(exc.detail, str)
    message = str(exc.detail) if plain else "The request is not valid."
    return {
        "error": {
            "code": exc.default_code,
            "message": message,
            "details": {} if plain else exc.detail,
        }
    }
