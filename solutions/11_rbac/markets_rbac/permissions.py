"""Roles → permissions, and the rules built on them: the heart of the lab.

Every check in the API asks `has_permission(role, permission)`, never `role == "admin"`:
a new role, or a permission moved between roles, is then one line in this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from markets_rbac.domain import Market, Permission, Status, User

_READ = frozenset({Permission.MARKETS_READ})

# Task 1: what each role may do. A role missing here may do nothing at all.
ROLE_PERMISSIONS: Mapping[str, frozenset[Permission]] = MappingProxyType(
    {
        "viewer": _READ,
        "creator": _READ | {Permission.MARKETS_CREATE, Permission.MARKETS_EDIT},
        "moderator": _READ
        | {Permission.MARKETS_EDIT, Permission.MARKETS_EDIT_ANY, Permission.MARKETS_RESOLVE},
        "admin": frozenset(Permission),
    }
)


def has_permission(role: str | None, permission: str) -> bool:
    """True only when `role` is in the table and its row holds `permission` (task 1).

    Default deny: a missing role (None, ""), a role the table does not know (in any other
    spelling, such as "Admin"), and a permission no row names are all False.
    """
    return permission in ROLE_PERMISSIONS.get(role or "", frozenset())


def can_edit_market(user: User, market: Market) -> bool:
    """May `user` edit `market`? (task 3)

    `markets:edit_any` edits any market; `markets:edit` only a draft the user created.
    """
    if has_permission(user.role, Permission.MARKETS_EDIT_ANY):
        return True
    return (
        has_permission(user.role, Permission.MARKETS_EDIT)
        and market.creator_id == user.id
        and market.status == Status.DRAFT
    )
