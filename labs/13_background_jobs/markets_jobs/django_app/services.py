"""Creating a market with the Django ORM, and enqueueing its index job only after the commit."""

from __future__ import annotations

from rq import Queue

from markets_jobs.django_app.models import Market
from markets_jobs.domain import NewMarket


def create_market(data: NewMarket, queue: Queue) -> Market:
    """Insert the market in one transaction; once it is committed, enqueue `index_market`.

    SlugTaken (or any error) rolls the transaction back and nothing is enqueued. If Redis
    refuses the job after the commit, the market stays created: the failure is logged.
    """
    raise NotImplementedError(
        "TODO(task 3): store.insert_market in a transaction, enqueue on commit — see README task 3"
    )
