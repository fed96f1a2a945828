"""Task 1: the permission table and `has_permission` — default deny."""

from __future__ import annotations

import pytest
from spec import EXPECTED_PERMISSIONS, UNKNOWN_PERMISSIONS, UNKNOWN_ROLES

from markets_rbac import permissions
from markets_rbac.domain import ROLES, Permission
from markets_rbac.permissions import has_permission

pytestmark = [pytest.mark.core, pytest.mark.task(1)]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission", list(Permission))
def test_each_role_has_exactly_the_permissions_of_the_table(role, permission):
    want = permission in EXPECTED_PERMISSIONS[role]
    got = has_permission(role, permission)
    assert got is want, (
        f"has_permission({role!r}, {permission.value!r}) returned {got!r}; the table in README "
        f"task 1 says {role} {'has' if want else 'does not have'} {permission.value} (task 1)"
    )


@pytest.mark.parametrize("role", UNKNOWN_ROLES)
@pytest.mark.parametrize("permission", list(Permission))
def test_a_missing_or_unknown_role_has_no_permission_at_all(role, permission):
    got = has_permission(role, permission)
    assert got is False, (
        f"has_permission({role!r}, {permission.value!r}) returned {got!r}; default deny: a "
        "role that is missing, empty, in another spelling or unknown to the table grants "
        "nothing — not even markets:read. Falling back to a default role turns every broken "
        "user row into an ordinary user who may write (task 1)"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("permission", UNKNOWN_PERMISSIONS)
def test_a_permission_no_row_names_is_denied_even_to_admin(role, permission):
    got = has_permission(role, permission)
    assert got is False, (
        f"has_permission({role!r}, {permission!r}) returned {got!r}; a permission the table "
        "does not name is granted to nobody, admin included: `if role == 'admin': return "
        "True` grants every typo and every permission invented tomorrow (task 1)"
    )


def test_the_table_has_one_row_per_role_naming_only_known_permissions():
    table = permissions.ROLE_PERMISSIONS
    assert set(table) == set(ROLES), (
        f"ROLE_PERMISSIONS has rows for {sorted(table)}; it needs exactly one per role of "
        f"domain.ROLES {sorted(ROLES)} (task 1)"
    )
    for role, granted in table.items():
        strays = {str(p) for p in granted} - {str(p) for p in Permission}
        assert not strays, (
            f"ROLE_PERMISSIONS[{role!r}] names {sorted(strays)}, which are not permissions "
            "(domain.Permission) — a typo there grants nothing and fails silently (task 1)"
        )


def test_has_permission_reads_the_table_so_a_role_change_is_one_line(monkeypatch):
    table = {
        **permissions.ROLE_PERMISSIONS,
        "auditor": frozenset({Permission.MARKETS_READ}),
        "admin": frozenset(Permission) - {Permission.USERS_MANAGE},
    }
    monkeypatch.setattr(permissions, "ROLE_PERMISSIONS", table)
    got = (
        has_permission("auditor", Permission.MARKETS_READ),
        has_permission("auditor", Permission.MARKETS_CREATE),
        has_permission("admin", Permission.USERS_MANAGE),
    )
    assert got == (True, False, False), (
        "With ROLE_PERMISSIONS given a row 'auditor': {markets:read} and an admin row without "
        "users:manage, has_permission('auditor', 'markets:read'), ('auditor', "
        f"'markets:create') and ('admin', 'users:manage') returned {got}; expected (True, "
        "False, False). has_permission must read ROLE_PERMISSIONS, the one place roles get "
        "their permissions — not a copy, and no `role == 'admin'` short cut (task 1)"
    )
