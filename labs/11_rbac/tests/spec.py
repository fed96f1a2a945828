"""What the tests hold the lab to: the permission table of README task 1, written out once."""

from __future__ import annotations

from markets_rbac.domain import ROLES, Permission

P = Permission
EXPECTED_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "viewer": frozenset({P.MARKETS_READ}),
    "creator": frozenset({P.MARKETS_READ, P.MARKETS_CREATE, P.MARKETS_EDIT}),
    "moderator": frozenset({P.MARKETS_READ, P.MARKETS_EDIT, P.MARKETS_EDIT_ANY, P.MARKETS_RESOLVE}),
    "admin": frozenset(Permission),
}
assert set(EXPECTED_PERMISSIONS) == set(ROLES)

# Roles a user row may hold that no table knows: each may do nothing at all.
UNKNOWN_ROLES = (None, "", "Admin", "ADMIN", "admin ", " viewer", "superuser", "user", "guest")
UNKNOWN_PERMISSIONS = ("markets:fly", "", "markets:*", "*", "MARKETS:READ", "markets:read ")


def expected(role: str | None, permission: str) -> bool:
    return permission in EXPECTED_PERMISSIONS.get(role or "", frozenset())
