"""Users and markets, in memory. Given code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count

from markets_jwt.config import JwtConfig
from markets_jwt.passwords import PasswordHasher


@dataclass(frozen=True)
class User:
    id: int
    username: str
    password_hash: str = field(repr=False)

    # DRF's IsAuthenticated reads `request.user.is_authenticated`.
    is_authenticated: bool = field(default=True, init=False, repr=False)

    @property
    def subject(self) -> str:
        """The user as a token's `sub` claim names them: the id, as a string (RFC 7519 §4.1.2)."""
        return str(self.id)


class UserStore:
    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._users: dict[int, User] = {}
        self._ids = count(1)

    def add(self, username: str, password: str) -> User:
        user = User(next(self._ids), username, self.hasher.hash(password))
        self._users[user.id] = user
        return user

    def remove(self, user: User) -> None:
        del self._users[user.id]

    def find(self, username: str) -> User | None:
        """The user with this username, or None."""
        return next((u for u in self._users.values() if u.username == username), None)

    def by_subject(self, subject: object) -> User | None:
        """The user a token's `sub` names (ASCII digits, no sign), or None."""
        if not (isinstance(subject, str) and re.fullmatch(r"[1-9][0-9]{0,18}", subject)):
            return None
        return self._users.get(int(subject))


@dataclass(frozen=True)
class Market:
    id: int
    name: str
    creator: str  # the username of the user who created it


class MarketStore:
    def __init__(self) -> None:
        self._markets: dict[int, Market] = {}
        self._ids = count(1)

    def create(self, name: str, creator: User) -> Market:
        market = Market(next(self._ids), name, creator.username)
        self._markets[market.id] = market
        return market

    def get(self, market_id: int) -> Market | None:
        return self._markets.get(market_id)

    def all(self) -> list[Market]:
        return list(self._markets.values())


@dataclass
class Services:
    """What every app serves from: the users, the markets and the token config."""

    users: UserStore
    markets: MarketStore
    jwt: JwtConfig


SERVICES_KEY = "markets_jwt.services"  # where the Flask app keeps them: app.extensions[...]
