"""The market listing on SQLAlchemy 2 (task 3), shared by the FastAPI and Flask apps."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from markets_listing.db import Market
from markets_listing.schemas import MarketSummary


def listing_statement() -> Select[tuple[Market]]:
    """Markets with creator joined; tags and positions in one extra SELECT … IN each."""
    return (
        select(Market)
        .options(
            joinedload(Market.creator),
            selectinload(Market.tags),
            selectinload(Market.positions),
            raiseload("*"),
        )
        .order_by(Market.created_at.desc(), Market.id.desc())
    )


def list_markets(session: Session) -> list[MarketSummary]:
    """Markets newest first as summaries; the count is len() of the loaded positions."""
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
        for market in session.scalars(listing_statement())
    ]
