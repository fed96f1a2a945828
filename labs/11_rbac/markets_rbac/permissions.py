"""Roles → permissions, and the rules built on them: the heart of the lab.

Every check in the API asks `has_permission(role, permission)`, never `role == "admin"`:
a new role, or a permission moved between roles, is then one line in this table.
"""

from __future__ import annotations

from collections.abc import Mapping

from markets_rbac.domain import Market, Permission, User

# TODO(task 1): what each role may do, one row per role of domain.ROLES (README task 1).
# A role missing here may do nothing at all.
ROLE_PERMISSIONS: Mapping[str, frozenset[Permission]] = {}


def has_permission(role: str | None, permission: str) -> bool:
    """True only when `role` is in the table and its row holds `permission` (task 1).

    Default deny: a missing role (None, ""), a role the table does not know (in any other
    spelling, such as "Admin"), and a permission no row names are all False.
    """
    raise NotImplementedError(
        "TODO(task 1): look the role up in ROLE_PERMISSIONS, denying by default — see README task 1"
    )


def can_edit_market(user: User, market: Market) -> bool:
    """May `user` edit `market`? (task 3)

    `markets:edit_any` edits any market; `markets:edit` only a draft the user created.
    """
    raise NotImplementedError(
        "TODO(task 3): edit_any, or edit + own + draft, asked of has_permission — see README task 3"
    )
