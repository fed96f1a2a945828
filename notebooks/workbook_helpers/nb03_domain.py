"""Notebook 03: the domain values, the repository ports and their in-memory adapters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Protocol


class Side(StrEnum):
    YES = "yes"
    NO = "no"


@dataclass(frozen=True)
class MarketRef:
    id: int
    slug: str
    status: str


@dataclass(frozen=True)
class Position:
    market_id: int
    username: str
    side: Side
    amount: Decimal
    id: int | None = None


class MarketReader(Protocol):
    def get(self, market_id: int) -> MarketRef | None: ...


class PositionRepository(Protocol):
    def total_staked(self, market_id: int, username: str) -> Decimal: ...
    def add(self, position: Position) -> Position: ...


class InMemoryMarkets:
    def __init__(self, *markets: MarketRef) -> None:
        self.rows = {m.id: m for m in markets}

    def get(self, market_id: int) -> MarketRef | None:
        return self.rows.get(market_id)


class InMemoryPositions:
    def __init__(self) -> None:
        self.rows: list[Position] = []

    def total_staked(self, market_id: int, username: str) -> Decimal:
        return sum(
            (p.amount for p in self.rows if (p.market_id, p.username) == (market_id, username)),
            Decimal("0"),
        )

    def add(self, position: Position) -> Position:
        stored = replace(position, id=len(self.rows) + 1)
        self.rows.append(stored)
        return stored
