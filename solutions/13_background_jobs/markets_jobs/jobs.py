"""The index job and how it is enqueued: the heart of the lab.

`index_market` runs in a worker process, any number of times for one market (RQ retries it
after a failure; a worker that dies mid-job leaves it to run again). `enqueue_index` is the
only way the web code hands it work: by id, with retries, failures kept for a human.
"""

from __future__ import annotations

from datetime import timedelta

from rq import Queue, Retry
from rq.job import Job

from markets_jobs import worker
from markets_jobs.domain import MarketMissing

RETRY_DELAYS = (10, 60, 300)  # seconds before the 1st, 2nd and 3rd retry: growing delays
KEEP_FAILED = timedelta(days=7)  # how long a failed job stays in the FailedJobRegistry


def document_id(market_id: int) -> str:
    """The market's own key in the search index: the same every time the job runs."""
    return f"market:{market_id}"


def index_market(market_id: int) -> str:
    """Write market `market_id`'s document into the search index; return its document id.

    Idempotent: a second run replaces the document with the same one. A market the database
    does not show raises MarketMissing, so the job is retried and then kept as failed.
    """
    env = worker.current()
    market = env.load_market(market_id)
    if market is None:
        raise MarketMissing(market_id)
    doc_id = document_id(market_id)
    env.index.put(doc_id, market.document())
    return doc_id


def enqueue_index(queue: Queue, market_id: int) -> Job:
    """Enqueue `index_market(market_id)`: retried after RETRY_DELAYS, failures kept."""
    return queue.enqueue(
        index_market,
        market_id,
        retry=Retry(max=len(RETRY_DELAYS), interval=list(RETRY_DELAYS)),
        failure_ttl=int(KEEP_FAILED.total_seconds()),
    )
