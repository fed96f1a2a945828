"""The DRF authentication class every markets view uses (task 5)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from markets_jwt.auth import authenticate
from markets_jwt.contract import NotAuthenticated, challenge
from markets_jwt.store import User


class JWTAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, None] | None:
        """(user, None) for a valid Bearer token; None when the request sent no Bearer
        credentials (IsAuthenticated then refuses it); a refused token raises InvalidToken."""
        try:
            user = authenticate(settings.MARKETS_SERVICES, request.headers.get("Authorization"))
        except NotAuthenticated:
            return None
        return user, None

    def authenticate_header(self, request: Request) -> str:
        """The challenge of a 401: without one, DRF answers a missing token with a 403."""
        return challenge()
