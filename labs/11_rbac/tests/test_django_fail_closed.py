"""Task 2, Django: a method a view serves but does not map to a permission is refused, and
each `require_permission` guard checks its own permission."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import ClassVar

import pytest
from django.conf import settings
from django.test import RequestFactory
from rest_framework.response import Response

from markets_rbac.django_api import views
from markets_rbac.domain import Permission, User

pytestmark = [pytest.mark.django, pytest.mark.task(2)]


class Forgotten(views.PermissionView):
    """A view someone extended with DELETE and forgot to add to `required`."""

    required: ClassVar[Mapping[str, Permission]] = {"GET": Permission.MARKETS_READ}

    def get(self, request):
        return Response({})

    def delete(self, request):
        return Response(status=204)


@pytest.mark.parametrize("username", ["ada", "vera"])
def test_a_served_method_missing_from_required_is_refused_to_everyone(world, username):
    settings.MARKETS_STORE = world.store
    try:
        request = RequestFactory().delete(
            "/forgotten", headers={"Authorization": f"Bearer {world.token(username)}"}
        )
        response = Forgotten.as_view()(request)
    finally:
        settings.MARKETS_STORE = None
    assert response.status_code == 403, (
        f"DELETE on a PermissionView whose `required` has no DELETE, by "
        f"{world.users[username].role}, answered {response.status_code}; expected 403: "
        "get_permissions fails closed — a method nobody mapped to a permission is nobody's "
        "(task 2)"
    )


def test_each_require_permission_checks_its_own_permission():
    delete_guard = views.require_permission(Permission.MARKETS_DELETE)
    read_guard = views.require_permission(Permission.MARKETS_READ)  # built after the first
    request = SimpleNamespace(user=User(id=1001, username="vera", role="viewer"))
    got = (
        delete_guard().has_permission(request, None),
        read_guard().has_permission(request, None),
    )
    assert got == (False, True), (
        "require_permission('markets:delete') then require_permission('markets:read'): their "
        f"guards' has_permission for a viewer returned {got}; expected (False, True). Each "
        "call returns its own guard holding its own permission — one shared class whose "
        "permission attribute each call overwrites checks every route against the last "
        "permission asked for (task 2)"
    )
