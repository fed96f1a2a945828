"""The markets this lab creates and indexes, and the errors its services raise. Given."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NewMarket:
    """A valid `POST /markets` body, converted."""

    name: str
    slug: str


@dataclass(frozen=True)
class MarketDoc:
    """What the search index stores for one market: plain values, read from the database."""

    id: int
    name: str
    slug: str

    def document(self) -> dict[str, str | int]:
        return {"market_id": self.id, "name": self.name, "slug": self.slug}


class SlugTaken(Exception):
    """Another market already has this slug (the unique constraint said so): a 409."""

    def __init__(self, slug: str) -> None:
        super().__init__(f"the slug {slug!r} is taken")
        self.slug = slug


class MarketMissing(LookupError):
    """The job was handed an id the database does not show (not committed yet, or deleted)."""

    def __init__(self, market_id: int) -> None:
        super().__init__(f"market {market_id} is not in the database")
        self.market_id = market_id
