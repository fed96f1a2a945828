"""What a worker process sets up before it runs jobs, and a burst run for tests. Given.

A job runs in another process than the request that enqueued it (an `rq worker`), so it
cannot be handed a database session or a Redis client: it finds them here. A real worker
calls `configure(...)` once at start-up (after `django.setup()`, or after creating its
SQLAlchemy engine); the lab's tests call it for each test.

`run_until_idle(queue, now=...)` is `rq worker --burst` with a clock you control: a real
`SimpleWorker` runs every queued job, then the retries that are due at `now()` go back on
the queue (what RQ's scheduler does when their time comes), until nothing is left to run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rq import Queue, SimpleWorker

from markets_jobs.domain import MarketDoc
from markets_jobs.search import SearchIndex

MarketLoader = Callable[[int], MarketDoc | None]


@dataclass(frozen=True)
class WorkerEnv:
    load_market: MarketLoader  # the committed row as plain values, or None
    index: SearchIndex


_env: WorkerEnv | None = None


def configure(*, load_market: MarketLoader, index: SearchIndex) -> None:
    global _env
    _env = WorkerEnv(load_market, index)


def current() -> WorkerEnv:
    if _env is None:
        raise RuntimeError("the worker is not configured: call worker.configure(...) first")
    return _env


def run_until_idle(
    queue: Queue, *, now: Callable[[], float] = time.time, max_rounds: int = 20
) -> int:
    """Run jobs until none is queued or due; return how many worker rounds it took."""
    for rounds in range(1, max_rounds + 1):
        SimpleWorker([queue], connection=queue.connection).work(burst=True, logging_level="WARNING")
        registry = queue.scheduled_job_registry
        due = registry.get_jobs_to_schedule(int(now()))
        if not due:
            return rounds
        for job_id in due:
            registry.requeue(job_id)
    raise RuntimeError(f"jobs were still being retried after {max_rounds} rounds")
