"""Task 3: POST /markets enqueues `index_market` only once the market is committed.

Each test runs in Django, FastAPI and Flask (the `api` fixture), on the framework's own
database: SQLite files, or PostgreSQL with `DATABASE_URL`. "Committed" is what another
connection sees — the one a worker process would read the row with.
"""

from __future__ import annotations

import logging
import re

import pytest
from conftest import Api, BuggyQueue, only_the_id
from rq.job import JobStatus

from markets_jobs.domain import MarketDoc

pytestmark = pytest.mark.task(3)

RAIN = {"name": "Rain in Lisbon", "slug": "rain-lisbon"}


def create(api: Api, body: dict | None = None):
    return api.client.post("/markets", json=body or RAIN)


def test_create_answers_201_with_location_and_enqueues_the_job_by_id(api: Api) -> None:
    reply = create(api)
    assert reply.status == 201, (
        f"[{api.framework}] POST /markets {RAIN} answered {reply.status} {reply.text[:300]}; "
        "expected 201 Created (task 3)"
    )
    market_id = reply.json()["id"]
    assert reply.header("Location") == f"/markets/{market_id}", (
        f"[{api.framework}] Location: {reply.header('Location')!r} (task 3)"
    )
    jobs = api.queue.get_jobs()
    shown = [(job.func_name, job.args) for job in jobs]
    assert len(jobs) == 1, (
        f"[{api.framework}] after one create the queue holds {shown}; expected one "
        "index_market job: every framework's create enqueues it (task 3)"
    )
    assert only_the_id(jobs[0]) == market_id, (
        f"[{api.framework}] the job was enqueued with args {jobs[0].args!r} kwargs "
        f"{jobs[0].kwargs!r}; expected "
        f"({market_id},): the id, never the ORM object — pickled at enqueue time, it is stale "
        "by the time a worker runs it (task 3)"
    )


def test_each_create_enqueues_one_job_for_its_own_market(api: Api) -> None:
    ids = []
    for n, slug in enumerate(("rain-lisbon", "snow-oslo", "heat-seville")):
        reply = create(api, {"name": f"Market {n}", "slug": slug})
        assert reply.status == 201, f"[{api.framework}] POST /markets answered {reply.status}"
        ids.append(reply.json()["id"])
    queued = [only_the_id(job) for job in api.queue.get_jobs()]
    assert queued == ids, (
        f"[{api.framework}] three creates, of markets {ids}, left jobs for {queued} on the "
        "queue; expected one job per create, for its own market — a commit hook registered "
        "on every call and never removed fires again for every later commit (task 3)"
    )


def test_the_job_is_enqueued_only_once_the_market_is_committed(api: Api) -> None:
    reply = create(api)
    assert reply.status == 201, f"[{api.framework}] POST /markets answered {reply.status}"
    market_id = reply.json()["id"]
    seen = api.queue.seen
    assert seen, (
        f"[{api.framework}] POST /markets answered 201, and no job went onto the queue the "
        "app was given (the test watches that queue object: enqueue on it, by id) (task 3)"
    )
    assert seen == [(market_id, True)], (
        f"[{api.framework}] when index_market was enqueued, another database connection "
        f"{'could not see' if seen == [(market_id, False)] else 'saw'} market {market_id} "
        f"(enqueued: {seen}; (market id, committed?)). A worker picks a job up within "
        "milliseconds; enqueued inside the transaction, the job looks for a row that is not "
        "committed yet — or never will be. Enqueue after the commit: transaction.on_commit in "
        "Django, after the `with sessions.begin():` block in SQLAlchemy (task 3)"
    )


def test_the_worker_indexes_the_created_market(api: Api, run_jobs) -> None:
    reply = create(api)
    assert reply.status == 201, f"[{api.framework}] POST /markets answered {reply.status}"
    market = MarketDoc(reply.json()["id"], RAIN["name"], RAIN["slug"])
    (job,) = api.queue.get_jobs()
    run_jobs()
    status = job.get_status()
    documents = list(api.index.documents().values())
    assert status == JobStatus.FINISHED and documents == [market.document()], (
        f"[{api.framework}] after a burst worker ran, the job is {status} and the index holds "
        f"{documents}; expected finished, with {market.document()} (task 3)"
    )


def test_a_taken_slug_is_409_and_enqueues_nothing(api: Api) -> None:
    first = create(api)
    assert first.status == 201, f"[{api.framework}] POST /markets answered {first.status}"
    again = create(api, {"name": "Rain again", "slug": RAIN["slug"]})
    assert again.status == 409, (
        f"[{api.framework}] a second market with slug {RAIN['slug']!r} answered "
        f"{again.status} {again.text[:200]}; expected 409 (task 3)"
    )
    assert again.json()["error"]["code"] == "slug_taken", again.text
    count = api.queue.count
    assert count == 1, (
        f"[{api.framework}] after one create and one refused create the queue holds {count} "
        "jobs; a rolled-back create enqueues nothing (task 3)"
    )


def test_a_failure_after_the_insert_leaves_no_row_and_no_job(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    def audit_down(*args: object) -> None:
        raise RuntimeError("audit trail unavailable (test)")

    monkeypatch.setattr(api.store, "record_created", audit_down)  # runs after the INSERT
    reply = create(api)
    rows = api.committed_markets()
    count = api.queue.count
    assert reply.status == 500, (
        f"[{api.framework}] the audit write after the market's INSERT raised, and POST "
        f"answered {reply.status} {reply.text[:200]}; expected 500 (task 3)"
    )
    assert rows == 0, (
        f"[{api.framework}] the create failed half-way, yet {rows} market row(s) are "
        "committed: the market and its audit event are written in one transaction "
        "(transaction.atomic() / sessions.begin()), so a failure keeps neither (task 3)"
    )
    assert count == 0, (
        f"[{api.framework}] the create was rolled back, yet the queue holds {count} job(s): "
        "a job for a market that never existed. Enqueue only after the commit (task 3)"
    )


def test_redis_down_after_the_commit_still_answers_201_and_logs_it(
    api: Api, redis_failures, caplog: pytest.LogCaptureFixture
) -> None:
    for n, (failure, broken) in enumerate(redis_failures):
        api.use_queue(broken)
        body = {"name": f"Market {n}", "slug": f"market-{n}"}
        caplog.clear()
        with caplog.at_level(logging.ERROR):
            reply = create(api, body)
        assert reply.status == 201, (
            f"[{api.framework}] with Redis failing after the commit — {failure} — POST "
            f"{body} answered {reply.status} {reply.text[:200]}; expected 201: the market is "
            "committed, and a 500 would make the client retry into a 409 for its own market. "
            "Catch redis.exceptions.RedisError (the base of every failure Redis can answer "
            "with, not only ConnectionError), log it, answer 201 (task 3)"
        )
        rows = api.committed_markets()
        assert rows == n + 1, f"[{api.framework}] {rows} markets are committed; expected {n + 1}"
        market_id = reply.json()["id"]
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors, (
            f"[{api.framework}] the job could not be enqueued ({failure}), and nothing was "
            "logged at ERROR: a market that is never indexed, and no trace of why. Log the "
            "failure (log.exception) so it can be re-enqueued — or write the job to an outbox "
            "table (task 3)"
        )
        assert any(re.search(rf"\b{market_id}\b", message) for message in errors), (
            f"[{api.framework}] the enqueue for market {market_id} failed ({failure}) and the "
            f"ERROR log says {errors}; expected it to name market {market_id}: the log line is "
            "what an operator re-enqueues from (task 3)"
        )


def test_a_bug_in_the_enqueue_is_a_500_not_a_logged_201(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    api.use_queue(BuggyQueue("search", connection=api.queue.connection))
    with caplog.at_level(logging.ERROR):
        reply = create(api)
    assert reply.status == 500, (
        f"[{api.framework}] the enqueue raised TypeError — a bug in the code, not Redis being "
        f"down — and POST answered {reply.status} {reply.text[:200]}; expected 500. Catch "
        "redis.exceptions.RedisError only: a broad `except Exception` turns every create into "
        "a logged 201 with no job, on every request, until someone reads the log. A bug "
        "should fail loudly, so the first request shows it (task 3)"
    )
    assert reply.json()["error"]["code"] == "internal_server_error", reply.text


def test_invalid_input_is_400_and_enqueues_nothing(api: Api) -> None:
    reply = create(api, {"name": " ", "slug": "Not A Slug"})
    assert reply.status == 400, f"[{api.framework}] answered {reply.status} {reply.text[:200]}"
    details = reply.json()["error"]["details"]
    assert {"name", "slug"} <= set(details), details
    assert api.queue.count == 0, f"[{api.framework}] an invalid create enqueued a job"


def test_the_created_market_can_be_read_back(api: Api) -> None:
    reply = create(api)
    assert reply.status == 201, f"[{api.framework}] POST /markets answered {reply.status}"
    read = api.client.get(reply.header("Location") or "/markets/0")
    assert read.status == 200 and read.json() == reply.json(), (
        f"[{api.framework}] GET {reply.header('Location')} answered {read.status} "
        f"{read.text[:200]}; expected 200 with {reply.json()} (task 3)"
    )
