"""Task 5, Django: `JWTAuthentication` is a DRF authentication class that follows DRF's rules."""

from __future__ import annotations

import forge
import pytest
from django.conf import settings
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from markets_jwt.django_api.authentication import JWTAuthentication
from markets_jwt.store import Services, User

pytestmark = [pytest.mark.django, pytest.mark.task(5)]


@pytest.fixture
def served(services: Services) -> Services:
    settings.MARKETS_SERVICES = services
    yield services
    settings.MARKETS_SERVICES = None


def _request(**headers: str) -> Request:
    return Request(APIRequestFactory().get("/markets", **headers))


def test_a_valid_token_authenticates_as_its_user(served: Services, ada: User) -> None:
    token = forge.valid(served.jwt, ada.subject)
    got = JWTAuthentication().authenticate(_request(HTTP_AUTHORIZATION=f"Bearer {token}"))
    assert got is not None and got[0] == ada, (
        f"JWTAuthentication().authenticate(<request with ada's token>) returned {got!r}; DRF "
        "expects (user, auth) — request.user becomes the user (task 5)"
    )


@pytest.mark.parametrize("header", [None, "Basic YWRhOnB3"])
def test_no_bearer_credentials_authenticate_as_nobody(
    served: Services, ada: User, header: str | None
) -> None:
    request = _request() if header is None else _request(HTTP_AUTHORIZATION=header)
    got = JWTAuthentication().authenticate(request)
    assert got is None, (
        f"JWTAuthentication().authenticate(<Authorization: {header}>) returned {got!r}; "
        "without Bearer credentials it returns None, so another authentication class may "
        "try and IsAuthenticated answers 401 with authenticate_header's challenge (task 5)"
    )


def test_the_challenge_names_the_bearer_scheme(served: Services) -> None:
    got = JWTAuthentication().authenticate_header(_request())
    assert isinstance(got, str) and got.lower().startswith("bearer"), (
        f"authenticate_header() returned {got!r}; it is the WWW-Authenticate of the 401, "
        "naming the Bearer scheme: contract.challenge() (task 5)"
    )
