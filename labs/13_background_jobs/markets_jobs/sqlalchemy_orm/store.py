"""Reading and writing market rows with SQLAlchemy. Given: your service calls these.

`insert_market` writes inside the caller's transaction and never commits: the market row,
then its "created" event (the audit trail). Whoever holds the session decides when the
transaction ends — and so when the market becomes visible to anyone else.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from markets_jobs.domain import MarketDoc, NewMarket, SlugTaken
from markets_jobs.sqlalchemy_orm.models import Market, MarketEvent
from markets_jobs.worker import MarketLoader


def insert_market(session: Session, data: NewMarket) -> Market:
    """Add the market and its audit event to `session`'s transaction; SlugTaken if taken."""
    market = Market(name=data.name, slug=data.slug)
    session.add(market)
    try:
        session.flush()  # the INSERT runs now: the unique constraint answers here
    except IntegrityError:
        raise SlugTaken(data.slug) from None
    record_created(session, market)
    return market


def record_created(session: Session, market: Market) -> None:
    session.add(MarketEvent(market_id=market.id, kind="created"))
    session.flush()


def as_doc(market: Market) -> MarketDoc:
    return MarketDoc(id=market.id, name=market.name, slug=market.slug)


def get_market(sessions: sessionmaker[Session], market_id: int) -> MarketDoc | None:
    """The committed market `market_id`, read in a session of its own, or None."""
    with sessions() as session:
        market = session.get(Market, market_id)
        return None if market is None else as_doc(market)


def loader(sessions: sessionmaker[Session]) -> MarketLoader:
    """What a worker reads markets with: `worker.configure(load_market=loader(sessions), …)`."""
    return lambda market_id: get_market(sessions, market_id)
