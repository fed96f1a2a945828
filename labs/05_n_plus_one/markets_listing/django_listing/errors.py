"""Django's and DRF's errors in the lab's JSON envelope (given: you do not edit them).

`settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]` points at `exception_handler` (see the lab's
`conftest.py`); `urls.py` names `not_found` and `server_error` as Django's handler404 and
handler500, since the URL resolver and a crash answer before or outside any DRF view.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from markets_listing.errors import error_body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's own errors (405 MethodNotAllowed, 406 NotAcceptable, …) in the envelope.

    DRF keeps the headers it set (`Allow` on every APIView response, 405 included). None for
    anything else: Django then answers with `server_error`.
    """
    response = drf_exception_handler(exc, context)
    if response is not None:
        detail = getattr(exc, "detail", None)
        response.data = error_body(response.status_code, str(detail) if detail else None)
    return response


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """handler404: a URL no route matches is a 404 in the envelope."""
    return JsonResponse(error_body(404), status=404)


def server_error(request: HttpRequest) -> JsonResponse:
    """handler500: a crash is a 500 in the envelope that says nothing about its cause."""
    return JsonResponse(error_body(500), status=500)
