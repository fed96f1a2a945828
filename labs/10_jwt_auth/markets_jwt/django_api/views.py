"""The Markets API in Django REST framework. Given code.

`settings.MARKETS_SERVICES` holds the stores and the token config; the lab's conftest points
`REST_FRAMEWORK["EXCEPTION_HANDLER"]` at `exception_handler` below. Every markets view
authenticates with `JWTAuthentication` (task 5) and lets in only an authenticated user.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from markets_jwt.auth import grant, login, refresh
from markets_jwt.contract import (
    ApiError,
    AuthError,
    challenge,
    error_body,
    invalid_json,
    not_found,
    unauthorized,
    validation_failed,
)
from markets_jwt.django_api.authentication import JWTAuthentication
from markets_jwt.django_api.serializers import (
    LoginSerializer,
    MarketSerializer,
    RefreshSerializer,
)
from markets_jwt.store import Market, Services


def services() -> Services:
    return settings.MARKETS_SERVICES


class ApiView(APIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # DRF authenticates before it looks for the method's handler: a DELETE on /markets
        # would be a 401, where the path serves no DELETE at all (a 405, with Allow).
        if not hasattr(self, request.method.lower()):
            raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


class TokenView(ApiView):
    authentication_classes: ClassVar[list[type]] = []  # the login itself needs no token
    permission_classes: ClassVar[list[type]] = []

    def post(self, request: Request) -> Response:
        """200 and a new access and refresh token for the right username and password (task 4)."""
        data = validated(LoginSerializer, request)
        user = login(services().users, data["username"], data["password"])
        return Response(grant(services(), user).model_dump())


class RefreshView(ApiView):
    authentication_classes: ClassVar[list[type]] = []  # the refresh token is the credential
    permission_classes: ClassVar[list[type]] = []

    def post(self, request: Request) -> Response:
        """200 and a new access and refresh token for an unused refresh token (task 6)."""
        data = validated(RefreshSerializer, request)
        return Response(refresh(services(), data["refresh_token"]).model_dump())


class MarketList(ApiView):
    authentication_classes: ClassVar[list[type]] = [JWTAuthentication]
    permission_classes: ClassVar[list[type]] = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        return Response(MarketSerializer(services().markets.all(), many=True).data)

    def post(self, request: Request) -> Response:
        """201: the market, its creator the user the token names (never a body field)."""
        data = validated(MarketSerializer, request)
        market = services().markets.create(data["name"], creator=request.user)
        return Response(MarketSerializer(market).data, status=status.HTTP_201_CREATED)


class MarketDetail(ApiView):
    authentication_classes: ClassVar[list[type]] = [JWTAuthentication]
    permission_classes: ClassVar[list[type]] = [IsAuthenticated]

    def get(self, request: Request, market_id: int) -> Response:
        return Response(MarketSerializer(_market(market_id)).data)


def _market(market_id: int) -> Market:
    market = services().markets.get(market_id)
    if market is None:
        raise not_found(f"No market with id {market_id}.")
    return market


def validated(serializer_class: type[Serializer], request: Request) -> dict[str, Any]:
    """The body's validated fields; an empty or too deeply nested body is a 400 too."""
    if not request.body:
        raise invalid_json("The body is empty.")
    try:
        data = request.data
    except RecursionError:
        raise invalid_json("It is nested too deeply.") from None
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error in the envelope, a 401 with its challenge.

    DRF turns NotAuthenticated into a 403 when the view's first authentication class gives
    no `authenticate_header` (there is then no challenge to send with a 401).
    """
    error = _as_api_error(exc)
    if error is None:
        return None  # Django answers a plain 500, revealing nothing (DEBUG is off)
    return Response(error.body, status=error.status, headers=error.headers)


def unrouted(request: HttpRequest, exception: Exception) -> JsonResponse:
    return JsonResponse(error_body("not_found", f"No resource at {request.path}."), status=404)


def _as_api_error(exc: Exception) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, AuthError):
        return unauthorized(exc)
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return validation_failed(detail if isinstance(detail, dict) else {"body": detail})
    if isinstance(exc, exceptions.ParseError):
        return invalid_json()
    if isinstance(exc, exceptions.APIException):
        code, headers = exc.default_code, {}
        if exc.status_code == 401:  # DRF's own: NotAuthenticated, or AuthenticationFailed
            failed = isinstance(exc, exceptions.AuthenticationFailed)
            code = "invalid_token" if failed else code
            headers["WWW-Authenticate"] = challenge(code if failed else None)
        return ApiError(exc.status_code, code, str(exc.detail), headers=headers)
    return None
