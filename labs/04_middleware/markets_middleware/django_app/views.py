"""The markets API's DRF views and the error envelope. Given code.

Views read what the middleware stored on the request: `request.request_id` (task 2) and,
on a protected route, `request.principal` (task 4). `settings.MARKETS_BOOK` holds the data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_middleware import auth
from markets_middleware.contract import (
    ApiError,
    error_body,
    framework_error,
    internal_error,
    invalid_credentials,
    not_found,
    read_login,
)
from markets_middleware.markets import MarketBook, as_json


def book() -> MarketBook:
    return settings.MARKETS_BOOK


def error_response(request: HttpRequest, error: ApiError) -> JsonResponse:
    """`error` in the envelope, with the id the request-id middleware stored (task 2)."""
    body = error_body(error, getattr(request, "request_id", None))
    return JsonResponse(body, status=error.status, headers=error.headers)


def served_methods(view_func: Callable[..., Any]) -> frozenset[str]:
    """The methods a resolved view answers itself; any other is its 405 (HEAD runs GET)."""
    view_class = view_func.cls  # type: ignore[attr-defined]  # set by APIView.as_view()
    methods = {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    if "GET" in methods:
        methods.add("HEAD")  # Django's View.setup() answers HEAD with get()
    return frozenset(methods)


class Health(APIView):
    def get(self, request: Request) -> Response:
        return Response({"status": "ok", "request_id": request.request_id})


class Login(APIView):
    def post(self, request: Request) -> Response:
        login = read_login(request.body, request.META.get("CONTENT_TYPE"))
        token = auth.login(login.username, login.password)
        if token is None:
            raise invalid_credentials()
        return Response({"token": token, "token_type": "Bearer"})


class Me(APIView):
    def get(self, request: Request) -> Response:
        return Response({"username": request.principal, "request_id": request.request_id})


class MarketList(APIView):
    def get(self, request: Request) -> Response:
        return Response({"results": [as_json(m) for m in book().all()]})


class MarketDetail(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        market = book().get(market_id)
        if market is None:
            raise not_found(f"market with id {market_id}")
        return Response(as_json(market))

    def delete(self, request: Request, market_id: int) -> Response:
        if not book().delete(market_id):
            raise not_found(f"market with id {market_id}")
        return Response(status=204)


class MarketPositions(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        if book().get(market_id) is None:
            raise not_found(f"market with id {market_id}")
        return Response({"results": book().positions_of(market_id, request.principal)})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: ApiError and DRF's own errors (405…) in the envelope.

    Anything else is a bug: None lets it propagate to Django, which logs it and answers
    `server_error` (handler500).
    """
    if isinstance(exc, ApiError):
        error = exc
    elif isinstance(exc, exceptions.APIException):
        error = framework_error(exc.status_code, str(exc.detail))
    else:
        return None
    request_id = getattr(context["request"], "request_id", None)
    return Response(error_body(error, request_id), status=error.status, headers=error.headers)


def no_route(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404: a URL no route matches (the resolver's 404, before any view)."""
    return error_response(request, framework_error(404, f"No resource at {request.path}."))


def server_error(request: HttpRequest) -> JsonResponse:
    """Django's handler500: an exception no view handled, as the envelope that reveals nothing.

    Django has logged it with its traceback ('django.request') and answers this from inside
    the middleware, so the request id and the timing are still added on the way out.
    """
    return error_response(request, internal_error())
