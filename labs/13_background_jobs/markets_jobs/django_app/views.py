"""POST /markets and GET /markets/{id} on Django REST framework. Given.

The queue comes from settings (`MARKETS_QUEUE`, an `rq.Queue`), read on every request.
Every error leaves in the envelope (`http_api`): DRF's own exceptions (405, 415, a body that
is not JSON) through `exception_handler`, the lab's settings' EXCEPTION_HANDLER; a URL no
route matches and an unexpected crash through Django's `handler404`/`handler500`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework.decorators import api_view
from rest_framework.exceptions import APIException, ParseError
from rest_framework.request import Request
from rest_framework.response import Response

from markets_jobs import http_api as http
from markets_jobs.django_app import services, store
from markets_jobs.domain import SlugTaken


@api_view(["POST"])
def create_market(request: Request) -> Response:
    try:
        body = request.data  # DRF parses here: 415 for another media type, 400 for bad JSON
    except RecursionError:  # JSON nested deeper than Python's parser goes
        raise ParseError("the JSON is nested too deeply") from None
    data, problems = http.parse_market(body)
    if data is None:
        return Response(http.invalid(problems), status=400)
    try:
        market = services.create_market(data, settings.MARKETS_QUEUE)
    except SlugTaken as exc:
        return Response(http.slug_taken(exc.slug), status=409)
    created = store.as_doc(market)
    return Response(
        http.market_json(created), status=201, headers={"Location": http.location(created.id)}
    )


@api_view(["GET"])
def market_detail(request: Request, market_id: str) -> Response:
    pk = http.parse_id(market_id)
    market = None if pk is None else store.load_market(pk)
    if market is None:
        return Response(http.NOT_FOUND, status=404)
    return Response(http.market_json(market))


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
