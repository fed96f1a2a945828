"""The domain the repositories hand out: plain, frozen values that know nothing of storage.

Given, except `parse_ordering` and `check_window` (task 3), which all three repositories share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

# The only orderings `list(order_by=...)` accepts; "-" means descending. Ties are broken by
# `id` ascending, so pages never overlap or skip a row.
ORDERINGS = frozenset(
    {"id", "-id", "name", "-name", "volume", "-volume", "created_at", "-created_at"}
)


class MarketStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"
    RESOLVED = "resolved"


CENT = Decimal("0.01")


def _in_cents(volume: Decimal) -> Decimal:
    """Money as stored (two decimal places): `12.3` → `12.30`; a fraction of a cent is refused.

    The columns hold two places and the databases would round differently (Django half-even,
    SQLAlchemy on SQLite through a float), so no adapter ever receives a volume they disagree on.
    """
    cents = volume.quantize(CENT)
    if cents != volume:
        raise ValueError(f"volume {volume!r} has a fraction of a cent: at most two decimal places")
    return cents


@dataclass(frozen=True, slots=True)
class Market:
    """A stored market. Creator and tags are flattened to a username and a set of names."""

    id: int
    name: str
    slug: str
    status: MarketStatus
    volume: Decimal
    creator: str
    tags: frozenset[str]
    created_at: datetime  # timezone-aware UTC, set by the repository on `add`
    updated_at: datetime  # timezone-aware UTC, set by the repository on `add` and `update`

    def __post_init__(self) -> None:
        object.__setattr__(self, "volume", _in_cents(self.volume))


@dataclass(frozen=True, slots=True)
class NewMarket:
    """What a caller knows before the market is stored: no id, no timestamps yet."""

    name: str
    slug: str
    creator: str
    status: MarketStatus = MarketStatus.DRAFT
    volume: Decimal = Decimal("0.00")
    tags: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "volume", _in_cents(self.volume))


class NotFound(LookupError):
    """The market the caller named is not stored."""

    def __init__(self, market_id: int) -> None:
        super().__init__(f"market {market_id} does not exist")
        self.market_id = market_id


class SlugTaken(ValueError):
    """Another stored market already has this slug: slugs are unique in every adapter."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"slug {slug!r} is already taken")
        self.slug = slug


def utc_now() -> datetime:
    return datetime.now(UTC)


def parse_ordering(order_by: str) -> tuple[str, bool]:
    """`"-volume"` → `("volume", True)`: the field to sort by and whether it is descending.

    Raises ValueError, naming the accepted values, for anything outside `ORDERINGS`: an
    ordering string reaches the database only after it passed this allow-list.
    """
    if order_by not in ORDERINGS:
        accepted = ", ".join(sorted(ORDERINGS))
        raise ValueError(f"cannot order by {order_by!r}; accepted orderings: {accepted}")
    return order_by.removeprefix("-"), order_by.startswith("-")


def check_window(limit: int | None, offset: int) -> None:
    """Raise ValueError when `limit` (if given) or `offset` is negative."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be 0 or more, got {offset}")
