"""Users, markets, permissions and the errors of the domain (docs/design.md §2). Given code.

A role is only a name; what a role may do is the permission table's business
(`permissions.ROLE_PERMISSIONS`). Code asks for a permission, never for a role name.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    RESOLVED = "resolved"


class Permission(enum.StrEnum):
    """Everything the API lets someone do, one name per action."""

    MARKETS_READ = "markets:read"
    MARKETS_CREATE = "markets:create"
    MARKETS_EDIT = "markets:edit"  # edit the markets the object-level rule allows
    MARKETS_EDIT_ANY = "markets:edit_any"  # edit any market, whoever created it, any status
    MARKETS_RESOLVE = "markets:resolve"
    MARKETS_DELETE = "markets:delete"
    USERS_MANAGE = "users:manage"  # change a user's role


ROLES = ("viewer", "creator", "moderator", "admin")  # the roles an admin may assign


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: str | None  # as stored: a legacy row may hold None, "" or a role no table knows


@dataclass(frozen=True, slots=True)
class Market:
    id: int
    name: str
    slug: str
    creator_id: int  # the User.id of who created it
    status: Status = Status.DRAFT
    outcome: str | None = None  # "yes" or "no" once resolved


class DomainError(Exception):
    """Base class of what the services refuse; each framework answers it with a 4xx."""


class NotAuthenticated(DomainError):
    """No credentials, or credentials that name nobody: 401 with `WWW-Authenticate`."""

    def __init__(self, message: str, *, invalid_token: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.invalid_token = invalid_token  # RFC 6750 error="invalid_token" in the challenge


class AccessDenied(DomainError):
    """Authenticated, but not allowed: 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MarketNotFound(DomainError):
    def __init__(self, market_id: int) -> None:
        super().__init__(f"No market with id {market_id}.")
        self.market_id = market_id


class UserNotFound(DomainError):
    def __init__(self, user_id: int) -> None:
        super().__init__(f"No user with id {user_id}.")
        self.user_id = user_id


class SlugTaken(DomainError):
    def __init__(self, slug: str) -> None:
        super().__init__(f"The slug {slug!r} is already taken.")
        self.slug = slug


class InvalidTransition(DomainError):
    def __init__(self, market: Market, to: Status) -> None:
        super().__init__(f"Market {market.id} is {market.status}: it cannot become {to}.")
        self.market = market
