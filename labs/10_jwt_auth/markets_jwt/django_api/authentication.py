"""The DRF authentication class every markets view uses (task 5)."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from markets_jwt.store import User


class JWTAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[User, None] | None:
        """(user, None) for a valid Bearer token; None when the request sent no Bearer
        credentials (IsAuthenticated then refuses it); a refused token raises InvalidToken.

        The services are `django.conf.settings.MARKETS_SERVICES`.
        """
        raise NotImplementedError("TODO(task 5): authenticate the request — see README task 5")

    def authenticate_header(self, request: Request) -> str:
        """The challenge of a 401 (`contract.challenge()`)."""
        raise NotImplementedError("TODO(task 5): the 401's challenge — see README task 5")
