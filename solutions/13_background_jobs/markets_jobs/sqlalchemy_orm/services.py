"""Creating a market with SQLAlchemy, and enqueueing its index job only after the commit."""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy.orm import Session, sessionmaker

from markets_jobs import jobs
from markets_jobs.domain import MarketDoc, NewMarket
from markets_jobs.sqlalchemy_orm import store

log = logging.getLogger(__name__)


def create_market(sessions: sessionmaker[Session], data: NewMarket, queue: Queue) -> MarketDoc:
    """Insert the market in one transaction; once it is committed, enqueue `index_market`.

    SlugTaken (or any error) rolls the transaction back before anything is enqueued. If Redis
    refuses the job after the commit, the market stays created: the failure is logged.
    """
    with sessions.begin() as session:
        created = store.as_doc(store.insert_market(session, data))
    # The `with` block has committed: a worker that picks the job up now finds the row.
    enqueue_after_commit(queue, created.id)
    return created


def enqueue_after_commit(queue: Queue, market_id: int) -> None:
    try:
        jobs.enqueue_index(queue, market_id)
    except RedisError:
        log.exception("market %s is committed but its index job was not enqueued", market_id)
