"""Task 3: `retry` around a coroutine function — awaited, waiting with `async_sleep`, and
never standing in the way of cancellation."""

from __future__ import annotations

import asyncio
import inspect
import random
from typing import Any

import pytest
from conftest import SEED, FakeClock, Halves, Sleeper, gave_up, raised

from markets_retry.backoff import Jitter
from markets_retry.retry import retry

pytestmark = [pytest.mark.core, pytest.mark.task(3)]


def no_sync_sleep(seconds: float) -> None:
    raise AssertionError(
        f"time.sleep({seconds}) was called for a coroutine: it blocks the event loop and every "
        "other request with it; await async_sleep instead (task 3)"
    )


class AsyncFlaky:
    """An async function raising `errors` one per call, then returning "ok"."""

    def __init__(self, *errors: type[BaseException]) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.raised: list[BaseException] = []

    async def __call__(self, market_id: int) -> str:
        self.calls += 1
        await asyncio.sleep(0)
        if self.calls <= len(self.errors):
            self.raised.append(error := self.errors[self.calls - 1](f"failure {self.calls}"))
            raise error
        return f"ok {market_id}"


def wrapped(fn: Any, sleeper: Sleeper, clock: FakeClock, **options: Any) -> Any:
    async def call(market_id: int) -> str:  # a coroutine function, as `retry` must see it
        return await fn(market_id)

    options = {
        "base": 1.0,
        "cap": 30.0,
        "jitter": Jitter.NONE,
        "attempts": 3,
        "random": random.Random(SEED),
    } | options
    return retry(
        call, sleep=no_sync_sleep, async_sleep=sleeper.async_sleep, clock=clock, **options
    )  # fmt: skip


def test_a_coroutine_is_awaited_and_retried(sleeper, clock) -> None:
    fn = AsyncFlaky(TimeoutError, ConnectionResetError)
    retrying = wrapped(fn, sleeper, clock)
    assert inspect.iscoroutinefunction(retrying), (
        "retry(an async def function) must return an async def function too: callers await "
        "it (inspect.iscoroutinefunction tells them apart) (task 3)"
    )
    assert retrying.__name__ == "call", (
        f"the async wrapper is named {retrying.__name__!r}; functools.wraps keeps 'call' (task 3)"
    )
    got = asyncio.run(retrying(7))
    assert (got, fn.calls, sleeper.delays) == ("ok 7", 3, [1.0, 2.0]), (
        f"an async function failing twice, retried with attempts=3, base=1: got {got!r} after "
        f"{fn.calls} calls, slept {sleeper.delays}; expected 'ok 7' after 3 calls, awaiting "
        "async_sleep(1.0) and async_sleep(2.0) (task 3)"
    )


def test_an_async_give_up_is_retry_error_from_the_last_failure(sleeper, clock) -> None:
    fn = AsyncFlaky(*[TimeoutError] * 5)
    error = gave_up(raised(lambda: asyncio.run(wrapped(fn, sleeper, clock)(1))), "async")
    assert (error.attempts, error.__cause__ is fn.raised[-1]) == (3, True), (
        f"gave up with {error!r}, cause {error.__cause__!r}; expected "
        f"RetryError(attempts=3) raised from the last failure, {fn.raised[-1]!r} (task 3)"
    )


def test_an_async_programming_error_is_raised_at_once(sleeper, clock) -> None:
    fn = AsyncFlaky(*[ValueError] * 5)
    got = raised(lambda: asyncio.run(wrapped(fn, sleeper, clock)(1)))
    assert (got is fn.raised[0], fn.calls, sleeper.delays) == (True, 1, []), (
        f"an async ValueError came out as {got!r} after {fn.calls} calls, slept "
        f"{sleeper.delays}; expected the ValueError itself after one call: only "
        "transient failures are (task 3)"
    )


def test_the_async_deadline_holds(sleeper, clock) -> None:
    fn = AsyncFlaky(*[TimeoutError] * 20)
    gave_up(
        raised(lambda: asyncio.run(wrapped(fn, sleeper, clock, attempts=20, deadline=3)(1))),
        "async deadline=3",
    )
    assert (fn.calls, sleeper.delays) == (3, [1.0, 2.0]), (
        f"async, instant calls, base=1, deadline=3: {fn.calls} calls, slept {sleeper.delays}; "
        "expected 3 calls sleeping [1.0, 2.0] — the same deadline as the sync retry (task 3)"
    )


def test_each_async_call_starts_a_fresh_schedule(sleeper, clock) -> None:
    fn = AsyncFlaky(TimeoutError, TimeoutError)
    retrying = wrapped(fn, sleeper, clock, jitter=Jitter.DECORRELATED, random=Halves())
    first = raised(lambda: asyncio.run(retrying(1))) or "ok"
    fn.calls, fn.errors = 0, [TimeoutError, TimeoutError]
    second = raised(lambda: asyncio.run(retrying(2))) or "ok"
    assert (first, second, sleeper.delays) == ("ok", "ok", [2.0, 3.5, 2.0, 3.5]), (
        f"two calls of one async wrapped function, each failing twice, decorrelated jitter "
        f"with every draw in the middle: they ended with {first!r} and {second!r}, slept "
        f"{sleeper.delays}; expected 'ok' twice, sleeping [2.0, 3.5] for each call — "
        "failures, the previous delay and the deadline's start belong to one call, not to "
        "the wrapper (concurrent tasks would share them too) (task 3)"
    )


def test_cancelled_error_is_never_retried(sleeper, clock) -> None:
    fn = AsyncFlaky(*[asyncio.CancelledError] * 5)
    retrying = wrapped(fn, sleeper, clock, attempts=5, retry_if=lambda exc: True)
    got = raised(lambda: asyncio.run(retrying(1)))
    assert (isinstance(got, asyncio.CancelledError), fn.calls, sleeper.delays) == (True, 1, []), (
        f"asyncio.CancelledError came out as {got!r} after {fn.calls} calls, slept "
        f"{sleeper.delays}; a "
        "cancelled task must stop at once (a client hung up, a timeout fired, the server is "
        "shutting down) — it is a BaseException, never a failure to retry (task 3)"
    )


def test_cancelling_the_task_during_the_backoff_stops_it(clock) -> None:
    fn = AsyncFlaky(*[TimeoutError] * 5)
    waiting = []

    async def forever(seconds: float) -> None:
        waiting.append(seconds)
        await asyncio.Event().wait()

    async def scenario() -> str:
        async def call(market_id: int) -> str:
            return await fn(market_id)

        retrying = retry(call, attempts=5, base=1, jitter=Jitter.NONE, async_sleep=forever,
                         sleep=no_sync_sleep, clock=clock)  # fmt: skip
        task = asyncio.create_task(retrying(1))
        for _ in range(100):  # a few turns of the loop: the first attempt fails at once
            if waiting or task.done():
                break
            await asyncio.sleep(0)
        if not waiting:
            if not task.done():
                task.cancel()
                return "still running, never awaiting async_sleep"
            return f"ended before any backoff: {task.exception()!r}"
        task.cancel()
        try:
            await asyncio.wait_for(task, timeout=1)
        except asyncio.CancelledError:
            return "cancelled"
        except Exception as exc:
            return f"{exc!r}"
        return "returned"

    got = asyncio.run(scenario())
    assert (got, fn.calls) == ("cancelled", 1), (
        f"the task was cancelled while it slept before its 2nd attempt: it ended as {got!r} "
        f"after {fn.calls} calls; expected CancelledError out of the task at once, and no "
        "further attempt (task 3)"
    )
