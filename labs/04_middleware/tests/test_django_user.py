"""Task 4, Django: the gate stores its user in `request.principal`, never in `request.user`.

`request.user` belongs to django.contrib.auth (its AuthenticationMiddleware sets it; admin,
`login_required`, templates and DRF read `.is_authenticated` on it). Replacing it with a
username breaks all of them. Here a stand-in for AuthenticationMiddleware sets a user before
the gate runs, and a spy after the gate sees what the view would see.
"""

from __future__ import annotations

from typing import Any

import pytest
from checks import AS_ADA, shown

pytestmark = [pytest.mark.django, pytest.mark.task(4)]

DJANGO_USER = object()  # what django.contrib.auth put on the request
SEEN: list[tuple[Any, Any]] = []


class SetsDjangoUser:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.user = DJANGO_USER
        return self.get_response(request)


class Spy:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        return self.get_response(request)

    def process_view(self, request: Any, *args: Any) -> None:
        SEEN.append((request.user, getattr(request, "principal", None)))


def test_the_gate_leaves_request_user_to_django_auth() -> None:
    from django.test import override_settings

    from markets_middleware.markets import MarketBook
    from patterns_workbook.testing.http import as_client

    ours = "markets_middleware.django_app.middleware"
    order = [
        f"{ours}.RequestIdMiddleware",
        f"{__name__}.SetsDjangoUser",
        f"{ours}.AuthGateMiddleware",
        f"{__name__}.Spy",
    ]
    SEEN.clear()
    with override_settings(MIDDLEWARE=order, MARKETS_BOOK=MarketBook()):
        reply = as_client("django").get("/api/auth/me", headers=AS_ADA)
    assert reply.status == 200 and SEEN, f"GET /api/auth/me as ada answered {shown(reply)}"
    user, principal = SEEN[0]
    assert user is DJANGO_USER, (
        f"after the gate, request.user is {user!r}; it was django.contrib.auth's user. Store "
        "the token's user in request.principal: request.user is the framework's, and code "
        "that reads request.user.is_authenticated breaks on a string (task 4)"
    )
    assert principal == "ada", f"after the gate, request.principal is {principal!r}; expected 'ada'"
