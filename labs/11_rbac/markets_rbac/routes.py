"""The one declared table: every route of the API and the permission it needs. Given code.

The tests enumerate each app's routes from the framework itself and check them against this
table: a route missing here, or served without its permission, fails the suite.
"""

from __future__ import annotations

from collections.abc import Mapping

from markets_rbac.domain import Permission

ROUTE_PERMISSIONS: Mapping[tuple[str, str], Permission] = {
    ("GET", "/markets"): Permission.MARKETS_READ,
    ("POST", "/markets"): Permission.MARKETS_CREATE,
    ("GET", "/markets/{market_id}"): Permission.MARKETS_READ,
    ("PATCH", "/markets/{market_id}"): Permission.MARKETS_EDIT,  # + can_edit_market
    ("DELETE", "/markets/{market_id}"): Permission.MARKETS_DELETE,
    ("POST", "/markets/{market_id}/resolve"): Permission.MARKETS_RESOLVE,
    ("PUT", "/users/{user_id}/role"): Permission.USERS_MANAGE,
}
