"""Users and markets, in memory. Given code."""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
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


@dataclass(frozen=True)
class RefreshRow:
    """One refresh token, as stored: its hash (never the token), its login's family."""

    token_hash: str
    subject: str  # the user's `sub`
    family: str  # every token rotated from one login shares it
    expires_at: datetime  # the family's end: rotation never extends it
    used: bool = False


class RefreshStore:
    """Opaque refresh tokens, stored by SHA-256 (they are random: no salt needed).

    `find` returns a snapshot, like a database read; `claim` is the one atomic step, a
    compare-and-set (in SQL: UPDATE … SET used = true WHERE token_hash = … AND NOT used).
    """

    def __init__(self) -> None:
        self._rows: dict[str, RefreshRow] = {}
        self._revoked: set[str] = set()
        self._lock = threading.Lock()

    def issue(self, user: User, expires_at: datetime, family: str | None = None) -> str:
        """A new refresh token for `user`, in `family` (a new family when None)."""
        token = secrets.token_urlsafe(32)
        row = RefreshRow(_digest(token), user.subject, family or secrets.token_hex(16), expires_at)
        with self._lock:
            self._rows[row.token_hash] = row
        return token

    def find(self, token: str) -> RefreshRow | None:
        with self._lock:
            return self._rows.get(_digest(token))

    def claim(self, row: RefreshRow) -> bool:
        """Mark `row` used; True only for the one caller that found it unused."""
        with self._lock:
            current = self._rows.get(row.token_hash)
            if current is None or current.used:
                return False
            self._rows[row.token_hash] = replace(current, used=True)
            return True

    def revoke(self, family: str) -> None:
        with self._lock:
            self._revoked.add(family)

    def is_revoked(self, family: str) -> bool:
        with self._lock:
            return family in self._revoked


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Services:
    """What every app serves from: the users, the markets, refresh tokens, the token config."""

    users: UserStore
    markets: MarketStore
    jwt: JwtConfig
    refresh: RefreshStore = field(default_factory=RefreshStore)


SERVICES_KEY = "markets_jwt.services"  # where the Flask app keeps them: app.extensions[...]
