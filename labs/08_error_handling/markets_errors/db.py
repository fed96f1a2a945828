"""SQLAlchemy tables and the market service for the FastAPI and Flask apps. Given.

The service works inside the caller's session and never commits: the request is the unit
of work, committed once when the request succeeds (task 6). `create_market` writes the tag
first (a market's parent row, created when new), then the market — and refuses a taken slug
with `Conflict` *after* that first write, which is why a handled error must roll back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, String, create_engine, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.pool import StaticPool

from markets_errors.errors import Conflict, NotFound

MAX_ID = 2**63 - 1  # a bigint: a larger id names no row (and would overflow the driver)


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "errors_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)


class Market(Base):
    __tablename__ = "errors_markets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(50), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("errors_tags.id"))
    tag: Mapped[Tag] = relationship()


def make_engine(url: str = "sqlite://") -> Engine:
    """An engine with the tables created; in-memory SQLite is one database for every thread."""
    if url == "sqlite://":
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=StaticPool)
    else:
        engine = create_engine(url)
    Base.metadata.create_all(engine)
    return engine


def market_json(market: Market) -> dict[str, Any]:
    return {"id": market.id, "name": market.name, "slug": market.slug, "tag": market.tag.name}


def get_market(session: Session, market_id: int) -> dict[str, Any]:
    market = session.get(Market, market_id) if 1 <= market_id <= MAX_ID else None
    if market is None:
        raise NotFound(f"No market with id {market_id}.")
    return market_json(market)


def create_market(session: Session, *, name: str, slug: str, tag: str) -> dict[str, Any]:
    """The new market, filed under `tag` (created when new); Conflict when `slug` is taken."""
    tag_row = session.scalars(select(Tag).where(Tag.name == tag)).one_or_none()
    if tag_row is None:
        tag_row = Tag(name=tag)
        session.add(tag_row)
        session.flush()
    if session.scalar(select(Market.id).where(Market.slug == slug)) is not None:
        message = f"The slug {slug!r} is already taken."
        raise Conflict(message, details={"slug": [message]})
    market = Market(name=name, slug=slug, tag=tag_row)
    session.add(market)
    session.flush()
    return market_json(market)


def count_rows(session: Session) -> dict[str, int]:
    """How many tags and markets are stored (the tests' view of what was written)."""
    return {
        "tags": session.scalar(select(func.count()).select_from(Tag)) or 0,
        "markets": session.scalar(select(func.count()).select_from(Market)) or 0,
    }
