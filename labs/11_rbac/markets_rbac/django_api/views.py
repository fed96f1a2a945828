"""The Markets API in Django REST framework. Task 2: each method behind `require_permission`.

`settings.REST_FRAMEWORK` (the lab's conftest.py) names `BearerAuthentication` and the
`exception_handler` below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from django.http import HttpRequest, JsonResponse
from pydantic import BaseModel
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from markets_rbac import services
from markets_rbac.contract import (
    ApiError,
    code_for_status,
    error_body,
    forbidden,
    from_domain_error,
)
from markets_rbac.django_api.authentication import market_store
from markets_rbac.domain import DomainError, Permission
from markets_rbac.schemas import (
    MarketCreate,
    MarketOut,
    MarketPatch,
    Resolution,
    RoleChange,
    UserOut,
    parse_body,
)


def require_permission(permission: Permission) -> type[permissions.BasePermission]:
    """A DRF permission class granting `permission` to a user whose role holds it (task 2).

    Denying an anonymous request makes DRF answer 401 (NotAuthenticated), not 403.
    """

    raise NotImplementedError(
        "TODO(task 2): a BasePermission subclass whose has_permission asks has_permission of "
        "request.user's role — see README task 2"
    )


class PermissionView(APIView):
    """An APIView whose `required` maps each method it serves to its permission.

    Fails closed: a served method missing from `required` is refused to everyone. OPTIONS
    is not served (405, as in the FastAPI and Flask apps): DRF's answer to it describes the
    view to anyone who asks.
    """

    http_method_names: ClassVar[list[str]] = [
        m for m in APIView.http_method_names if m != "options"
    ]
    required: ClassVar[Mapping[str, Permission]] = {}

    def get_permissions(self) -> Sequence[permissions.BasePermission]:
        raise NotImplementedError(
            "TODO(task 2): [require_permission(...)()] for the request's method (HEAD as GET), "
            "nothing for a method the view does not serve (not in http_method_names, or no "
            "handler: 405), and fail closed — see README task 2"
        )


def body(request: Request, model: type[BaseModel]) -> Any:
    return parse_body(request.content_type, request.body, model)


def market_json(market: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(MarketOut.model_validate(market).model_dump(mode="json"), status=code)


class MarketList(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {}  # TODO(task 2): method → permission

    def get(self, request: Request) -> Response:
        markets = market_store().list_markets()
        return Response(
            {"results": [MarketOut.model_validate(m).model_dump(mode="json") for m in markets]}
        )

    def post(self, request: Request) -> Response:
        market = services.create_market(market_store(), request.user, body(request, MarketCreate))
        return market_json(market, status.HTTP_201_CREATED)


class MarketDetail(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {}  # TODO(task 2): method → permission

    def get(self, request: Request, market_id: int) -> Response:
        return market_json(market_store().get_market(market_id))

    def patch(self, request: Request, market_id: int) -> Response:
        # TODO(task 3): refuse with 403 here, before the body is read, unless can_edit_market.
        changes = body(request, MarketPatch)
        return market_json(services.update_market(market_store(), request.user, market_id, changes))

    def delete(self, request: Request, market_id: int) -> Response:
        services.delete_market(market_store(), market_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarketResolve(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {}  # TODO(task 2): method → permission

    def post(self, request: Request, market_id: int) -> Response:
        outcome = body(request, Resolution).outcome
        return market_json(services.resolve_market(market_store(), market_id, outcome))


class UserRole(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {}  # TODO(task 2): method → permission

    def put(self, request: Request, user_id: int) -> Response:
        user = services.change_role(market_store(), user_id, body(request, RoleChange).role)
        return Response(UserOut.model_validate(user).model_dump(mode="json"))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every API error in the envelope. Given.

    A 401 keeps the `WWW-Authenticate` DRF put on the exception (`auth_header`); DRF adds
    `Allow` to every APIView response, 405 included. None: Django's plain 500 (DEBUG off).
    """
    error = _as_api_error(exc)
    if error is None:
        return None
    headers = dict(error.headers)
    if auth_header := getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = auth_header
    return Response(error.body(), status=error.status, headers=headers)


def not_found(request: HttpRequest, exception: Exception) -> JsonResponse:
    """Django's handler404: a URL no route matches is a 404 in the envelope. Given."""
    return JsonResponse(
        error_body(code_for_status(404), f"No resource at {request.path}."), status=404
    )


def _as_api_error(exc: Exception) -> ApiError | None:
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, DomainError):
        return from_domain_error(exc)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return ApiError(401, "not_authenticated", str(exc.detail))
    if isinstance(exc, exceptions.PermissionDenied):
        return forbidden(str(exc.detail))
    if isinstance(exc, exceptions.APIException):
        return ApiError(exc.status_code, code_for_status(exc.status_code), str(exc.detail))
    return None
