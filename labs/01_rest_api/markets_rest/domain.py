"""The market, as DESIGN §2 defines it (creator and tags come in later labs). Given code."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

CENT = Decimal("0.01")  # volumes are money: kept to the cent, never a float


class Status(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class Market:
    id: int
    name: str
    slug: str
    status: Status
    volume: Decimal
    created_at: datetime  # timezone-aware UTC
    updated_at: datetime  # timezone-aware UTC


@dataclass(frozen=True, slots=True)
class MarketData:
    """The fields a client writes; the store sets `id` and the timestamps."""

    name: str
    slug: str
    status: Status = Status.DRAFT
    volume: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        # Accept "active" as well as Status.ACTIVE, and keep every volume to the cent.
        object.__setattr__(self, "status", Status(self.status))
        object.__setattr__(self, "volume", Decimal(self.volume).quantize(CENT))


WRITABLE_FIELDS = ("name", "slug", "status", "volume")
