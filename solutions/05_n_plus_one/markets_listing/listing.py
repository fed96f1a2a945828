"""The market listing on SQLAlchemy 2 (task 3), shared by the FastAPI and Flask apps."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, raiseload, selectinload

from markets_listing.db import Market, Position
from markets_listing.schemas import MarketSummary


def listing_statement() -> Select[tuple[Market, int]]:
    """Markets with their position count, creator joined, tags in one extra SELECT … IN."""
    position_count = (
        select(func.count(Position.id))
        .where(Position.market_id == Market.id)
        .scalar_subquery()
        .label("position_count")
    )
    return (
        select(Market, position_count)
        .options(
            joinedload(Market.creator),  # many-to-one: one LEFT JOIN, no row multiplication
            selectinload(Market.tags),  # collection: a second query, WHERE market_id IN (…)
            raiseload("*"),  # guard: any other relationship touched later raises, not queries
        )
        .order_by(Market.created_at.desc(), Market.id.desc())
    )


def list_markets(session: Session) -> list[MarketSummary]:
    """Markets newest first (`created_at` descending, then `id` descending) as summaries.

    Each summary carries the creator's username, the tag names in name order and the number
    of positions. Two queries at most, whatever the number of markets; the database counts
    the positions (they are never loaded as rows); nothing is lazy-loaded, and the statement's
    options end with `raiseload("*")`, so a relationship it did not load raises if read.
    Returns `MarketSummary` objects, never ORM objects.
    """
    rows = session.execute(listing_statement()).all()
    return [to_summary(market, count) for market, count in rows]


def to_summary(market: Market, position_count: int) -> MarketSummary:
    return MarketSummary(
        id=market.id,
        name=market.name,
        slug=market.slug,
        status=market.status,
        creator=market.creator.username,
        # Market.tags has no order_by in db.py, so the database's order is no order: sort here.
        tags=sorted(tag.name for tag in market.tags),
        position_count=position_count,
    )
