"""The market listing on SQLAlchemy 2 (task 3), shared by the FastAPI and Flask apps."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from markets_listing.db import Market
from markets_listing.schemas import MarketSummary


def list_markets(session: Session) -> list[MarketSummary]:
    """Markets newest first as summaries: creator, tags and positions lazy-load per market."""
    markets = session.scalars(select(Market).order_by(Market.created_at.desc(), Market.id.desc()))
    return [
        MarketSummary(
            id=market.id,
            name=market.name,
            slug=market.slug,
            status=market.status,
            creator=market.creator.username,
            tags=sorted(tag.name for tag in market.tags),
            position_count=len(market.positions),
        )
        for market in markets
    ]
