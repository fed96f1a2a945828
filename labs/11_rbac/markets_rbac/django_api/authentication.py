"""DRF authentication: the Bearer token names the user, read fresh from the store. Given code.

`DEFAULT_AUTHENTICATION_CLASSES` in the lab's conftest.py. With no Authorization header,
`authenticate` returns None and `request.user` is None; DRF then turns a permission denial
into a 401 (NotAuthenticated) — with this class's `authenticate_header` as its
`WWW-Authenticate` — instead of a 403.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from markets_rbac.auth import authenticate
from markets_rbac.contract import challenge
from markets_rbac.domain import NotAuthenticated, User
from markets_rbac.store import Store


def market_store() -> Store:
    """The store this project serves (`settings.MARKETS_STORE`)."""
    return settings.MARKETS_STORE


class BearerAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, None] | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        try:
            return authenticate(header, market_store()), None
        except NotAuthenticated as exc:
            raise exceptions.AuthenticationFailed(exc.message) from None

    def authenticate_header(self, request: Request) -> str:
        invalid = bool(request.headers.get("Authorization"))
        return challenge(invalid_token=invalid)
