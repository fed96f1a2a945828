"""Creating a market with SQLAlchemy, and enqueueing its index job only after the commit."""

from __future__ import annotations

from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from markets_jobs.domain import MarketDoc, NewMarket


def create_market(sessions: sessionmaker[Session], data: NewMarket, queue: Queue) -> MarketDoc:
    """Insert the market in one transaction; once it is committed, enqueue `index_market`.

    SlugTaken (or any error) rolls the transaction back before anything is enqueued. If Redis
    refuses the job after the commit, the market stays created: the failure is logged.
    """
    raise NotImplementedError(
        "TODO(task 3): store.insert_market in sessions.begin(), then enqueue — see README task 3"
    )
