"""The market listing on SQLAlchemy 2 (task 3), shared by the FastAPI and Flask apps."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, raiseload

from markets_listing.db import Market, Position
from markets_listing.schemas import MarketSummary


def listing_statement() -> Select[tuple[Market, int]]:
    """Markets with their position count; creator and tags joined into the same query."""
    position_count = (
        select(func.count(Position.id))
        .where(Position.market_id == Market.id)
        .scalar_subquery()
        .label("position_count")
    )
    return (
        select(Market, position_count)
        .options(joinedload(Market.creator), joinedload(Market.tags), raiseload("*"))
        .order_by(Market.created_at.desc(), Market.id.desc())
    )


def list_markets(session: Session) -> list[MarketSummary]:
    """Markets newest first as summaries."""
    rows = session.execute(listing_statement()).all()
    return [
        MarketSummary(
            id=market.id,
            name=market.name,
            slug=market.slug,
            status=market.status,
            creator=market.creator.username,
            tags=sorted(tag.name for tag in market.tags),
            position_count=count,
        )
        for market, count in rows
    ]
