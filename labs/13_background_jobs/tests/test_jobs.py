"""Tasks 1 and 2: the index job, and how it is enqueued — on a real RQ worker.

The worker is `rq.SimpleWorker` in burst mode on the test's Redis (fakeredis, or the server
at `REDIS_URL`), through the lab's `run_jobs` fixture: it runs every queued job, then puts
the retries whose time has come back on the queue — on a clock the test moves, so a retry
due in five minutes runs now, and no test sleeps. `Queue(is_async=False)` would run each
job inside `enqueue` instead: no pickling, no retries, no failed registry — none of what
these tests check.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeout
from rq.job import Job, JobStatus

from markets_jobs import jobs
from markets_jobs.domain import MarketMissing
from markets_jobs.search import Document, SearchIndex

pytestmark = pytest.mark.core


def documents_for(index: SearchIndex, market_id: int) -> list[dict]:
    return [doc for doc in index.documents().values() if doc.get("market_id") == market_id]


class FailingIndex(SearchIndex):
    """An index whose writes fail: `fail_after_write` ones store the document first, as a
    search server that applied the write and then timed out would. The index lives on Redis,
    so its failures are RedisErrors (a timeout); `error` picks another exception class."""

    def __init__(
        self,
        base: SearchIndex,
        *,
        failures: int,
        fail_after_write: bool,
        error: type[Exception] = RedisTimeout,
    ) -> None:
        super().__init__(base.connection)
        self.failures = failures
        self.fail_after_write = fail_after_write
        self.error = error
        self.calls = 0

    def put(self, doc_id: str, document: Document) -> None:
        self.calls += 1
        if self.fail_after_write:
            super().put(doc_id, document)
        if self.calls <= self.failures:
            raise self.error("search server timed out (test)")
        if not self.fail_after_write:
            super().put(doc_id, document)


def failing(
    index: SearchIndex,
    catalog,
    *,
    failures: int,
    after_write: bool,
    error: type[Exception] = RedisTimeout,
) -> FailingIndex:
    from markets_jobs import worker

    flaky = FailingIndex(index, failures=failures, fail_after_write=after_write, error=error)
    worker.configure(load_market=catalog, index=flaky)
    return flaky


# ------------------------------------------------------------------------------ task 1


@pytest.mark.task(1)
def test_the_job_writes_the_market_document(catalog, index: SearchIndex) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    returned = jobs.index_market(market.id)
    docs = documents_for(index, market.id)
    assert docs == [market.document()], (
        f"after index_market({market.id}) the index holds {index.documents()}; expected one "
        f"document, {market.document()}: the market as the worker's load_market reads it "
        "(task 1)"
    )
    stored = index.documents().get(returned) if isinstance(returned, str) else None
    assert stored == market.document(), (
        f"index_market returned {returned!r}, which is not the id of the market's document "
        f"in the index (ids: {sorted(index.documents())}); it returns the document id it "
        "wrote, the job's result a caller can read back (task 1)"
    )


@pytest.mark.task(1)
def test_running_the_job_twice_indexes_once(catalog, index: SearchIndex) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    first = jobs.index_market(market.id)
    second = jobs.index_market(market.id)
    docs = documents_for(index, market.id)
    assert len(docs) == 1, (
        f"index_market({market.id}) run twice left {len(docs)} documents for the market: "
        f"{index.documents()}. A queue delivers a job at least once — a retry, a worker killed "
        "mid-job — so the job must be idempotent: put the document under the market's own key, "
        "not index.add(), which mints a new id each call (task 1)"
    )
    assert first == second, (
        f"the two runs returned document ids {first!r} and {second!r}; the same market has "
        "the same document id every time (task 1)"
    )


@pytest.mark.task(1)
def test_a_rerun_after_a_change_replaces_the_document(catalog, index: SearchIndex) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    jobs.index_market(market.id)
    renamed = catalog.rename(market.id, "Rain in Lisbon on Friday")
    jobs.index_market(market.id)
    docs = documents_for(index, market.id)
    assert docs == [renamed.document()], (
        f"after a rename and a second index_market({market.id}) the index holds {docs}; "
        f"expected only {renamed.document()}. Idempotent is not 'skip if done before': a "
        "job that returns early once the market is indexed leaves the old name searchable "
        "forever (task 1)"
    )


@pytest.mark.task(1)
def test_a_new_slug_replaces_the_document_too(catalog, index: SearchIndex) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    first = jobs.index_market(market.id)
    moved = catalog.rename(market.id, "Rain in Lisbon", slug="lisbon-rain")
    second = jobs.index_market(market.id)
    docs = documents_for(index, market.id)
    assert docs == [moved.document()] and first == second, (
        f"market {market.id}'s slug changed from {market.slug!r} to {moved.slug!r}; the two "
        f"runs wrote document ids {first!r} then {second!r}, and the index holds {docs}. "
        f"Expected one document, {moved.document()}, under one id: key the document by what "
        "never changes, the id (market:<id>). A slug is data — renamed, the old document stays "
        "searchable forever; freed and reused, another market's document is overwritten "
        "(task 1)"
    )


@pytest.mark.task(1)
def test_a_market_the_database_does_not_show_raises_market_missing(catalog) -> None:
    with pytest.raises(MarketMissing) as raised:
        jobs.index_market(404)
    assert "404" in str(raised.value), f"MarketMissing said {raised.value!r} (task 1)"


@pytest.mark.task(1)
def test_the_job_reads_the_market_when_it_runs(catalog, index: SearchIndex) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    before = catalog.reads
    jobs.index_market(market.id)
    assert catalog.reads == before + 1, (
        f"index_market read the market {catalog.reads - before} times through "
        "worker.current().load_market; it reads it once, when it runs: the row as committed "
        "then, not a copy made when the job was enqueued (task 1)"
    )


# ------------------------------------------------------------------------------ task 2


@pytest.mark.task(2)
def test_the_job_is_enqueued_with_the_market_id_only(catalog, queue) -> None:
    job = jobs.enqueue_index(queue, 7)
    assert isinstance(job, Job), (
        f"enqueue_index returned {job!r}; it returns the rq Job, whose id the caller can log "
        "or look up later (task 2)"
    )
    stored = Job.fetch(job.id, connection=queue.connection)
    assert stored.func_name == "markets_jobs.jobs.index_market", (
        f"enqueue_index enqueued {stored.func_name!r}; expected markets_jobs.jobs.index_market, "
        "a function a worker can import (task 2)"
    )
    assert (stored.args, stored.kwargs) in (((7,), {}), ((), {"market_id": 7})), (
        f"enqueue_index(queue, 7) enqueued args={stored.args!r} kwargs={stored.kwargs!r}; "
        "expected the id alone, (7,): a job gets the id and reads the row when it runs. An ORM "
        "object is pickled as it was at enqueue time (stale by the time a worker runs it) "
        "and drags its session state into Redis (task 2)"
    )
    assert queue.count == 1, f"the queue holds {queue.count} jobs after one enqueue (task 2)"
    assert_never_expires(queue, job, "after enqueue_index")


def assert_never_expires(queue, job: Job, when: str) -> None:
    expiry = queue.connection.ttl(job.key)
    assert job.ttl is None and expiry == -1, (
        f"{when}, the job's ttl is {job.ttl!r} and Redis expires its key {job.key!r} in "
        f"{expiry} s (-1: never); expected no ttl. RQ deletes a job whose ttl runs out, and a "
        "retry does not renew it: a job waiting behind a backlog, or for its 300 s retry, "
        "vanishes — never run, never in the failed registry (task 2)"
    )


@pytest.mark.task(2)
def test_enqueue_index_lets_a_redis_failure_out(dead_queue) -> None:
    try:
        returned = jobs.enqueue_index(dead_queue, 7)
    except RedisError:
        return
    pytest.fail(
        f"enqueue_index(queue, 7) on a Redis that refuses connections returned {returned!r}; "
        "expected the RedisError to reach the caller. Only the caller knows what a lost job "
        "means — the create logs it after its commit, an operator's re-enqueue or an outbox "
        "relay must not mark it sent — so enqueue_index catches nothing (task 2)"
    )


@pytest.mark.task(2)
def test_a_real_worker_runs_the_job(catalog, queue, index: SearchIndex, run_jobs) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    job = jobs.enqueue_index(queue, market.id)
    run_jobs()
    status = job.get_status()
    assert status == JobStatus.FINISHED, (
        f"after a burst worker ran, the job is {status}; expected finished (task 2)"
    )
    assert documents_for(index, market.id) == [market.document()], (
        f"the worker ran the job, and the index holds {index.documents()} (task 2)"
    )


@pytest.mark.task(2)
def test_the_job_is_retried_three_times_with_growing_delays(catalog, queue, index) -> None:
    from markets_jobs import worker

    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    flaky = failing(index, catalog, failures=10, after_write=False)
    job = jobs.enqueue_index(queue, market.id)
    registry = queue.scheduled_job_registry
    delays = []
    for _ in range(4):
        worker.run_until_idle(queue, now=time.time)  # runs what is queued; nothing is due yet
        if job.id not in registry.get_job_ids():
            break
        delays.append(registry.get_scheduled_time(job.id).timestamp() - time.time())
        assert_never_expires(queue, job, f"after failed attempt {len(delays)}")
        registry.requeue(job.id)  # its time has come
    assert flaky.calls == 4, (
        f"the job ran {flaky.calls} times against a failing index; expected 4: the first "
        "attempt and 3 retries (Retry(max=3)), then it stops and is kept as failed (task 2)"
    )
    wanted = [10, 60, 300]  # as README task 2 states them
    assert list(jobs.RETRY_DELAYS) == wanted, (
        f"RETRY_DELAYS is {jobs.RETRY_DELAYS}; it is given as {tuple(wanted)} (task 2)"
    )
    close = len(delays) == len(wanted) and all(
        want - 2 <= got <= want + 1 for got, want in zip(delays, wanted, strict=True)
    )
    shown = [round(d) for d in delays]
    assert close, (
        f"the retries were scheduled {shown} s after each failure; expected {wanted} s "
        "(RETRY_DELAYS): a service that is down is not up again a millisecond later, and "
        "immediate retries only add load while it recovers (task 2)"
    )


@pytest.mark.task(2)
def test_a_job_that_keeps_failing_is_kept_with_its_error(catalog, queue, index, run_jobs) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    failing(index, catalog, failures=10, after_write=False)
    job = jobs.enqueue_index(queue, market.id)
    run_jobs()
    status = job.get_status()
    failed = queue.failed_job_registry.get_job_ids()
    assert status == JobStatus.FAILED and job.id in failed, (
        f"a job whose index write always fails ended {status}, failed registry {failed}; "
        "expected failed, and kept in the FailedJobRegistry. A job that catches its own "
        "exception — even only the RedisError a search store on Redis raises — 'finishes' "
        "with nothing indexed, and nobody ever hears of it (task 2)"
    )
    result = job.latest_result()
    error = result.exc_string if result is not None else None
    assert error and "search server timed out" in error, (
        f"the failed job's last result says {error!r}; it keeps the exception, so whoever "
        "looks at the failed registry sees why (task 2)"
    )
    last = error.strip().splitlines()[-1]
    assert "MarketMissing" not in last and "TimeoutError" in last, (
        f"market {market.id} exists and the search index timed out, yet the failed job's "
        f"final exception is {last!r}; expected the TimeoutError itself. MarketMissing is for "
        "a market load_market does not return: wrapping every error in it sends whoever reads "
        "the failed registry after a missing row, not a search server that is down (task 2)"
    )


@pytest.mark.task(2)
def test_a_job_for_a_missing_market_fails_instead_of_finishing(catalog, queue, run_jobs) -> None:
    job = jobs.enqueue_index(queue, 404)
    run_jobs()
    status = job.get_status()
    result = job.latest_result()
    error = result.exc_string if result is not None else ""
    assert status == JobStatus.FAILED and "MarketMissing" in (error or ""), (
        f"a job for market 404, which the database does not show, ended {status} "
        f"({(error or '')[-120:]!r}); expected failed with MarketMissing after its retries: a "
        "job enqueued before its row was committed must not finish as if it had worked "
        "(task 2)"
    )


@pytest.mark.task(2)
def test_failed_jobs_are_kept_for_a_week(catalog, queue, run_jobs) -> None:
    job = jobs.enqueue_index(queue, 404)
    run_jobs()
    registry = queue.failed_job_registry
    assert job.id in registry.get_job_ids(), (
        f"a job that failed every attempt ended {job.get_status()} and is not in the "
        "FailedJobRegistry: whoever looks for failures finds nothing (task 2)"
    )
    kept = registry.get_expiration_time(job) - _utcnow()
    week = timedelta(days=7)  # KEEP_FAILED, as README task 2 states it
    assert week - timedelta(minutes=1) <= kept <= week, (
        f"the failed job expires from the FailedJobRegistry in {kept}; keep it for "
        f"KEEP_FAILED ({week}, failure_ttl): a failure deleted before anyone looked is a "
        "failure silently dropped, and one kept forever is Redis memory never given back "
        "(task 2)"
    )


@pytest.mark.task(2)
def test_a_retry_after_a_half_done_write_indexes_once(catalog, queue, index, run_jobs) -> None:
    market = catalog.add("Rain in Lisbon", "rain-lisbon")
    failing(index, catalog, failures=1, after_write=True, error=ConnectionError)
    job = jobs.enqueue_index(queue, market.id)
    run_jobs()
    status = job.get_status()
    docs = documents_for(index, market.id)
    assert status == JobStatus.FINISHED and len(docs) == 1, (
        f"the first write stored the document and then raised; after the retry the job is "
        f"{status} and the index holds {len(docs)} documents for the market: {docs}. Expected "
        "finished, with one: the retry repeats the write, so the write must be idempotent "
        "(task 2)"
    )


def _utcnow():
    from datetime import UTC, datetime

    return datetime.now(UTC)
