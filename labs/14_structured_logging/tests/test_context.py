"""Task 2: fields bound in a `ContextVar` — per request, per task, per thread, copied on purpose.

Each test runs in a fresh `contextvars.Context()`, so what another test bound is not there.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from markets_logging.context import (
    bind,
    bound,
    end_scope,
    request_scope,
    start_scope,
    submit,
)

pytestmark = [pytest.mark.core, pytest.mark.task(2)]


def in_fresh_context(fn: Any) -> Any:
    return contextvars.Context().run(fn)


def test_bind_adds_fields_that_later_code_sees() -> None:
    def steps() -> list[dict[str, Any]]:
        seen = [bound()]
        bind(request_id="r-1")
        seen.append(bound())
        bind(market_id=7)
        seen.append(bound())
        bind(market_id=8)
        seen.append(bound())
        return seen

    seen = in_fresh_context(steps)
    expected = [
        {},
        {"request_id": "r-1"},
        {"request_id": "r-1", "market_id": 7},
        {"request_id": "r-1", "market_id": 8},
    ]
    assert seen == expected, (
        f"bound() after nothing, bind(request_id='r-1'), bind(market_id=7), bind(market_id=8) "
        f"returned {seen}; expected {expected}: bind adds to what is bound, a field bound "
        "again takes its new value (task 2)"
    )


def test_bound_returns_a_copy() -> None:
    def steps() -> dict[str, Any]:
        bind(request_id="r-1")
        bound()["market_id"] = 99
        return bound()

    got = in_fresh_context(steps)
    assert got == {"request_id": "r-1"}, (
        f"after bound()['market_id'] = 99, bound() is {got}; bound() hands out a copy, so a "
        "caller cannot change the context by accident (task 2)"
    )


def test_request_scope_binds_exactly_its_fields_then_restores_the_outer_ones() -> None:
    def steps() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        bind(job="nightly")
        with request_scope(request_id="r-1"):
            inside = bound()
            bind(market_id=7)
            later = bound()
        return inside, later, bound()

    inside, later, after = in_fresh_context(steps)
    assert inside == {"request_id": "r-1"}, (
        f"inside request_scope(request_id='r-1'), after bind(job='nightly') outside it, "
        f"bound() is {inside}; a request starts with exactly its own fields — nothing bound "
        "before it, by an earlier request on this thread or anyone else (task 2)"
    )
    assert later == {"request_id": "r-1", "market_id": 7}, (
        f"bind(market_id=7) inside the scope gave {later} (task 2)"
    )
    assert after == {"job": "nightly"}, (
        f"after the request scope, bound() is {after}; expected {{'job': 'nightly'}}: the "
        "request's fields end with it and the outer ones are back (ContextVar.reset(token), "
        "task 2)"
    )


def test_request_scope_restores_even_when_the_request_raises() -> None:
    def steps() -> dict[str, Any]:
        try:
            with request_scope(request_id="r-1"):
                bind(market_id=7)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
        return bound()

    after = in_fresh_context(steps)
    assert after == {}, (
        f"after a request scope left by an exception, bound() is {after}; the next request "
        "on this thread would start with these fields: restore in a finally (task 2)"
    )


def test_start_scope_and_end_scope_work_apart() -> None:
    """Flask's hooks cannot wrap a `with` around the request: before_request starts the
    scope, teardown_request ends it."""

    def steps() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        bind(job="nightly")
        token = start_scope(request_id="r-2")
        inside = bound()
        bind(market_id=3)
        later = bound()
        end_scope(token)
        return inside, later, bound()

    inside, later, after = in_fresh_context(steps)
    assert (inside, later, after) == (
        {"request_id": "r-2"},
        {"request_id": "r-2", "market_id": 3},
        {"job": "nightly"},
    ), (
        f"start_scope(request_id='r-2') → {inside}, then bind(market_id=3) → {later}, then "
        f"end_scope(token) → {after}; expected exactly the request's fields inside and the "
        "outer ones back after (task 2)"
    )


def test_two_asyncio_tasks_in_flight_keep_their_own_fields() -> None:
    """Two FastAPI requests share one thread: a global or a threading.local mixes them up."""

    async def handle(request_id: str, bound_both: Any, read_both: Any) -> dict[str, Any]:
        with request_scope(request_id=request_id):
            bind(market_id=int(request_id[-1]))
            await bound_both.wait()  # both requests are in their scope now
            seen = bound()
            await read_both.wait()  # neither has left its scope before both have read
            return seen

    async def both() -> list[dict[str, Any]]:
        bound_both, read_both = asyncio.Barrier(2), asyncio.Barrier(2)
        one, two = handle("r-1", bound_both, read_both), handle("r-2", bound_both, read_both)
        return list(await asyncio.gather(one, two))

    seen = in_fresh_context(lambda: asyncio.run(both()))
    expected = [{"request_id": "r-1", "market_id": 1}, {"request_id": "r-2", "market_id": 2}]
    assert seen == expected, (
        f"two requests in their scopes at once on one event loop saw {seen}; expected "
        f"{expected}. A module global or a threading.local is one value for every task of "
        "the loop; a contextvars.ContextVar is one per task (task 2)"
    )


def test_two_threads_keep_their_own_fields() -> None:
    bound_both, read_both = threading.Barrier(2, timeout=5), threading.Barrier(2, timeout=5)
    seen: dict[str, dict[str, Any]] = {}

    def handle(request_id: str) -> None:
        with request_scope(request_id=request_id):
            bound_both.wait()
            seen[request_id] = bound()
            read_both.wait()

    threads = [threading.Thread(target=handle, args=(f"r-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = {"r-1": {"request_id": "r-1"}, "r-2": {"request_id": "r-2"}}
    assert seen == expected, (
        f"two threads each in a request scope at once saw {seen}; expected {expected}: a "
        "module global is shared by every thread (task 2)"
    )


def test_submit_runs_the_function_in_a_copy_of_the_callers_context() -> None:
    def steps() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        with ThreadPoolExecutor(max_workers=1) as pool:
            with request_scope(request_id="r-1"):
                in_worker = submit(pool, bound).result()
                submit(pool, bind, worker=True).result()
                caller_after = bound()
            next_job = submit(pool, bound).result()
        return in_worker, caller_after, next_job

    in_worker, caller_after, next_job = in_fresh_context(steps)
    assert in_worker == {"request_id": "r-1"}, (
        f"submit(pool, bound) inside request_scope(request_id='r-1') saw {in_worker}; a pool "
        "thread has a context of its own: run the function in contextvars.copy_context() "
        "(task 2)"
    )
    assert caller_after == {"request_id": "r-1"}, (
        f"after a worker ran bind(worker=True), the caller's bound() is {caller_after}; the "
        "worker binds in its copy, never in the caller's fields (task 2)"
    )
    assert next_job == {}, (
        f"the pool's next job, submitted outside any request, saw {next_job}; the worker "
        "thread kept the previous request's fields. Copy the context per submission rather "
        "than binding into the worker thread (task 2)"
    )


def test_submit_passes_arguments_and_returns_the_future() -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = submit(pool, pow, 2, 5)
        keyword = submit(pool, int, "ff", base=16)
        assert future.result() == 32 and keyword.result() == 255, (
            "submit(pool, pow, 2, 5) and submit(pool, int, 'ff', base=16) should give 32 and "
            f"255, got {future.result()!r} and {keyword.result()!r}: pass *args and **kwargs "
            "on (task 2)"
        )
