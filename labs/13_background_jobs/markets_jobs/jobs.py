"""The index job and how it is enqueued: the heart of the lab.

`index_market` runs in a worker process, any number of times for one market (RQ retries it
after a failure; a worker that dies mid-job leaves it to run again). `enqueue_index` is the
only way the web code hands it work: by id, with retries, failures kept for a human.
"""

from __future__ import annotations

from datetime import timedelta

from rq import Queue
from rq.job import Job

RETRY_DELAYS = (10, 60, 300)  # seconds before the 1st, 2nd and 3rd retry: growing delays
KEEP_FAILED = timedelta(days=7)  # how long a failed job stays in the FailedJobRegistry


def index_market(market_id: int) -> str:
    """Write market `market_id`'s document into the search index; return its document id.

    Idempotent: a second run replaces the document with the same one. A market the database
    does not show raises MarketMissing, so the job is retried and then kept as failed.
    """
    raise NotImplementedError(
        "TODO(task 1): load the market, put its document under its own key — see README task 1"
    )


def enqueue_index(queue: Queue, market_id: int) -> Job:
    """Enqueue `index_market(market_id)`: retried after RETRY_DELAYS, failures kept."""
    raise NotImplementedError(
        "TODO(task 2): enqueue by id, with Retry and a failure_ttl — see README task 2"
    )
