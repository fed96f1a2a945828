"""The market listing on SQLAlchemy 2 (task 3), shared by the FastAPI and Flask apps."""

from __future__ import annotations

from sqlalchemy.orm import Session

from markets_listing.schemas import MarketSummary


def list_markets(session: Session) -> list[MarketSummary]:
    """Markets newest first (`created_at` descending, then `id` descending) as summaries.

    Each summary carries the creator's username, the tag names in name order and the number
    of positions. Two queries at most, whatever the number of markets; the database counts
    the positions (they are never loaded as rows); nothing is lazy-loaded, and the statement's
    options end with `raiseload("*")`, so a relationship it did not load raises if read.
    Returns `MarketSummary` objects, never ORM objects.
    """
    raise NotImplementedError(
        "TODO(task 3): select markets with their position count, load creator and tags with "
        "loader options ending with raiseload('*'), newest first, as MarketSummary objects "
        "— see README task 3"
    )
