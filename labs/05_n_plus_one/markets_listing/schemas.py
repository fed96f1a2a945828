"""The listing's response shapes, shared by the FastAPI and Flask apps (given)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from markets_listing.db import Status


class MarketSummary(BaseModel):
    """One market of the listing: plain data, detached from any database session."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    slug: str
    status: Status
    creator: str  # the creator's username
    tags: list[str]  # tag names, in name order
    position_count: int


class MarketPage(BaseModel):
    """The body of `GET /markets`."""

    markets: list[MarketSummary]
