"""Creating a market with the Django ORM, and enqueueing its index job only after the commit."""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from redis.exceptions import RedisError
from rq import Queue

from markets_jobs import jobs
from markets_jobs.django_app import store
from markets_jobs.django_app.models import Market
from markets_jobs.domain import NewMarket

log = logging.getLogger(__name__)


def create_market(data: NewMarket, queue: Queue) -> Market:
    """Insert the market in one transaction; once it is committed, enqueue `index_market`.

    SlugTaken (or any error) rolls the transaction back and its on_commit callback is
    dropped with it. If Redis refuses the job after the commit, the market stays created:
    the failure is logged.
    """
    with transaction.atomic():
        market = store.insert_market(data)
        transaction.on_commit(partial(enqueue_after_commit, queue, market.pk))
    return market


def enqueue_after_commit(queue: Queue, market_id: int) -> None:
    try:
        jobs.enqueue_index(queue, market_id)
    except RedisError:
        log.exception("market %s is committed but its index job was not enqueued", market_id)
