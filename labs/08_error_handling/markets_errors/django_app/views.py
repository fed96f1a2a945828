"""The DRF views, with DRF's own authentication, permission and throttle classes. Given.

The rules are `markets_errors.access`'s, run the DRF way: a missing or unknown token makes
DRF raise `NotAuthenticated` / `AuthenticationFailed` (401: DRF puts the challenge on the
exception, as `exc.auth_header`), a viewer's token `PermissionDenied` (403), and a fourth
create in the window `Throttled` (429, with `exc.wait` in seconds). A body DRF cannot parse
is a `ParseError`, one it cannot validate a `ValidationError`, a wrong Content-Type an
`UnsupportedMediaType`, an unserved method `MethodNotAllowed`. Every one of them goes to
`settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]`: `handlers.exception_handler`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, ParseError
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from markets_errors import access
from markets_errors.django_app import services
from markets_errors.schemas import READ_ONLY, SLUG


@dataclass(frozen=True)
class Caller:
    token: str
    role: str
    is_authenticated: bool = True


class BearerToken(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Caller, str] | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None  # anonymous: the permission check then raises NotAuthenticated
        token = access.token_of(header)
        if token is None:
            raise AuthenticationFailed()
        return Caller(token, access.TOKENS[token]), token

    def authenticate_header(self, request: Request) -> str:
        return access.CHALLENGE


class EditorsOnly(BasePermission):
    """Creates are for editors. DRF checks permissions before it looks the method up, so a
    method the view does not serve passes here and is answered 405, as in FastAPI and Flask."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        return request.user is not None and request.user.role == "editor"


class CreateThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        if request.method != "POST":
            return True
        self._wait = access.CREATES.hit(request.auth)
        return self._wait is None

    def wait(self) -> float | None:
        return self._wait


class StrictText(serializers.RegexField):
    """A string field that takes strings only: DRF's CharField turns 7 into "7"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class MarketSerializer(serializers.Serializer):
    """The rules of `schemas.MarketIn`: exactly name, slug and tag, each a string."""

    name = StrictText(r"^[^\x00]*$", max_length=100, trim_whitespace=False)
    slug = StrictText(SLUG, max_length=50)
    tag = StrictText(SLUG, max_length=30)

    def to_internal_value(self, data: Any) -> Any:
        unknown = {
            key: ["This field is read-only." if key in READ_ONLY else "Unknown field."]
            for key in data
            if key not in self.fields
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**exc.detail, **unknown}) from None
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class MarketList(APIView):
    authentication_classes: ClassVar = [BearerToken]
    permission_classes: ClassVar = [EditorsOnly]
    throttle_classes: ClassVar = [CreateThrottle]

    def post(self, request: Request) -> Response:
        if not request.body:  # DRF would hand the serializer {} for an empty body
            raise ParseError("The body is empty.")
        if not isinstance(request.data, Mapping):
            raise ParseError("The body must be one JSON object.")
        serializer = MarketSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(services.create_market(**serializer.validated_data), status=201)


class MarketDetail(APIView):
    def get(self, request: Request, market_id: int) -> Response:
        return Response(services.get_market(market_id))
