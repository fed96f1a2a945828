"""Users and markets in memory, like two tables. Given code: use it, do not edit it.

The store does what it is told: it checks that a slug is free and that a row exists, never
who is asking. Who may do what is decided before the store is called (`services`).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from typing import Any

from markets_rbac.domain import Market, MarketNotFound, SlugTaken, Status, User, UserNotFound

EDITABLE_FIELDS = ("name", "slug")


class Store:
    """Users and markets kept in dicts; safe to share between threads."""

    def __init__(self) -> None:
        self._users: dict[int, User] = {}
        self._markets: dict[int, Market] = {}
        self._next_user_id = 1
        self._next_market_id = 1
        self._lock = threading.Lock()

    # ---------------------------------------------------------------------------- users

    def add_user(self, username: str, role: str | None, *, user_id: int | None = None) -> User:
        """A new user; `user_id` picks the id (tests use large ones), else the next free one."""
        with self._lock:
            new_id = self._next_user_id if user_id is None else user_id
            if new_id in self._users:
                raise ValueError(f"user id {new_id} is taken")
            user = User(id=new_id, username=username, role=role)
            self._users[new_id] = user
            self._next_user_id = max(self._next_user_id, new_id + 1)
            return user

    def find_user(self, user_id: int) -> User | None:
        """The user as stored now, or None (a deleted user's token names nobody)."""
        with self._lock:
            return self._users.get(user_id)

    def set_role(self, user_id: int, role: str | None) -> User:
        with self._lock:
            current = self._users.get(user_id)
            if current is None:
                raise UserNotFound(user_id)
            user = dataclasses.replace(current, role=role)
            self._users[user_id] = user
            return user

    def remove_user(self, user_id: int) -> None:
        with self._lock:
            if self._users.pop(user_id, None) is None:
                raise UserNotFound(user_id)

    # -------------------------------------------------------------------------- markets

    def list_markets(self) -> list[Market]:
        with self._lock:
            return sorted(self._markets.values(), key=lambda m: m.id)

    def get_market(self, market_id: int) -> Market:
        with self._lock:
            try:
                return self._markets[market_id]
            except KeyError:
                raise MarketNotFound(market_id) from None

    def add_market(
        self, *, name: str, slug: str, creator_id: int, status: Status = Status.DRAFT
    ) -> Market:
        with self._lock:
            self._check_slug_free(slug)
            market = Market(
                id=self._next_market_id, name=name, slug=slug, creator_id=creator_id, status=status
            )
            self._markets[market.id] = market
            self._next_market_id += 1
            return market

    def update_market(self, market_id: int, changes: dict[str, Any]) -> Market:
        """Only the fields named in `changes` (name, slug) change."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"not editable fields: {sorted(unknown)}")
        return self._replace(market_id, **changes)

    def set_status(self, market_id: int, status: Status, *, outcome: str | None = None) -> Market:
        return self._replace(market_id, status=status, outcome=outcome)

    def delete_market(self, market_id: int) -> None:
        with self._lock:
            if self._markets.pop(market_id, None) is None:
                raise MarketNotFound(market_id)

    def add_markets(self, rows: Iterable[dict[str, Any]]) -> list[Market]:
        """Several markets at once (fixtures and notebooks)."""
        return [self.add_market(**row) for row in rows]

    def _replace(self, market_id: int, **changes: Any) -> Market:
        with self._lock:
            current = self._markets.get(market_id)
            if current is None:
                raise MarketNotFound(market_id)
            if "slug" in changes:
                self._check_slug_free(changes["slug"], but=market_id)
            market = dataclasses.replace(current, **changes)
            self._markets[market_id] = market
            return market

    def _check_slug_free(self, slug: str, *, but: int | None = None) -> None:
        if any(m.slug == slug and m.id != but for m in self._markets.values()):
            raise SlugTaken(slug)
