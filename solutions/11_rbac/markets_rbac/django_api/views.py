"""The Markets API in Django REST framework, each method behind `require_permission`.

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
from markets_rbac.domain import DomainError, Permission, User
from markets_rbac.permissions import can_edit_market, has_permission
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

    class RequirePermission(permissions.BasePermission):
        message = f"Your role does not grant {permission}."

        def has_permission(self, request: Request, view: APIView) -> bool:
            user = request.user
            return isinstance(user, User) and has_permission(user.role, permission)

    return RequirePermission


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
        method = self.request.method or ""
        if method.lower() not in self.http_method_names or not hasattr(self, method.lower()):
            return []  # not served here: DRF answers 405 with Allow
        permission = self.required.get("GET" if method == "HEAD" else method)
        if permission is None:
            return [DenyAll()]
        return [require_permission(permission)()]


class DenyAll(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return False


def body(request: Request, model: type[BaseModel]) -> Any:
    return parse_body(request.content_type, request.body, model)


def market_json(market: Any, code: int = status.HTTP_200_OK) -> Response:
    return Response(MarketOut.model_validate(market).model_dump(mode="json"), status=code)


class MarketList(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {
        "GET": Permission.MARKETS_READ,
        "POST": Permission.MARKETS_CREATE,
    }

    def get(self, request: Request) -> Response:
        markets = market_store().list_markets()
        return Response(
            {"results": [MarketOut.model_validate(m).model_dump(mode="json") for m in markets]}
        )

    def post(self, request: Request) -> Response:
        market = services.create_market(market_store(), request.user, body(request, MarketCreate))
        return market_json(market, status.HTTP_201_CREATED)


class MarketDetail(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {
        "GET": Permission.MARKETS_READ,
        "PATCH": Permission.MARKETS_EDIT,
        "DELETE": Permission.MARKETS_DELETE,
    }

    def get(self, request: Request, market_id: int) -> Response:
        return market_json(market_store().get_market(market_id))

    def patch(self, request: Request, market_id: int) -> Response:
        # Object level, before the body is read: someone who may not edit learns nothing.
        if not can_edit_market(request.user, market_store().get_market(market_id)):
            raise forbidden(f"You may not edit market {market_id}.")
        changes = body(request, MarketPatch)
        return market_json(services.update_market(market_store(), request.user, market_id, changes))

    def delete(self, request: Request, market_id: int) -> Response:
        services.delete_market(market_store(), market_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarketResolve(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {"POST": Permission.MARKETS_RESOLVE}

    def post(self, request: Request, market_id: int) -> Response:
        outcome = body(request, Resolution).outcome
        return market_json(services.resolve_market(market_store(), market_id, outcome))


class UserRole(PermissionView):
    required: ClassVar[Mapping[str, Permission]] = {"PUT": Permission.USERS_MANAGE}

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
