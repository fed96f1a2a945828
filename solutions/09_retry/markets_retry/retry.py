"""Tasks 2 and 3: `retry`, for plain functions and coroutine functions alike.

    @retry(attempts=4, base=0.2, cap=5, deadline=10)
    def fetch(market_id: int) -> Price: ...

    fetch_now = retry(fetch, attempts=2)          # or wrap a function you did not write

Only a transient failure is retried (`retry_if`, default `is_transient`); anything else —
a `ValueError`, a bug — propagates unchanged at once. `KeyboardInterrupt`, `SystemExit` and
`asyncio.CancelledError` are not `Exception`s and are never retried, whatever `retry_if`
says. When retrying gives up, `RetryError` is raised from the last failure.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import random as _random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx

from markets_retry.backoff import Jitter, backoff_delay
from markets_retry.errors import RetryError

F = TypeVar("F", bound=Callable[..., Any])
Sleep = Callable[[float], None]
AsyncSleep = Callable[[float], Awaitable[None]]
Predicate = Callable[[Exception], bool]
Hint = Callable[[Exception], float | None]

# A timeout or a refused/reset connection may go away on its own; a bug, a bad URL, a file
# that is not there or an HTTP 404 will not.
TRANSIENT: tuple[type[Exception], ...] = (
    TimeoutError,
    ConnectionError,
    httpx.TimeoutException,
    httpx.NetworkError,
)


def is_transient(exc: Exception) -> bool:
    """True for failures that may succeed if tried again: timeouts and connection errors
    (the built-in ones and httpx's)."""
    return isinstance(exc, TRANSIENT)


def no_hint(exc: Exception) -> float | None:
    """The default `hint`: the failure says nothing about when to try again."""
    return None


@dataclass(frozen=True)
class Policy:
    """The options of one `retry(...)`, checked once, when the function is wrapped."""

    attempts: int
    base: float
    cap: float
    jitter: Jitter
    deadline: float | None
    retry_if: Predicate
    hint: Hint
    clock: Callable[[], float]
    random: _random.Random = field(default_factory=_random.Random)

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1, not {self.attempts}")
        if not 0 < self.base <= self.cap:
            raise ValueError(f"need 0 < base <= cap, got base={self.base}, cap={self.cap}")
        if self.deadline is not None and self.deadline <= 0:
            raise ValueError(f"deadline must be positive seconds, not {self.deadline}")


class Schedule:
    """One call's retries: failures so far, the last delay, and the deadline."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.failures = 0
        self.previous = policy.base
        self.started = policy.clock()  # before the first attempt: its time counts too

    def next_delay(self, exc: Exception) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        Counts the failure; None when the attempts are spent, or when a sleep of the next
        delay would end past the deadline. The delay is `policy.hint(exc)` when it names one
        (capped by `cap`, never negative), else the backoff (task 1).
        """
        policy = self.policy
        self.failures += 1
        if self.failures >= policy.attempts:
            return None
        hinted = policy.hint(exc)
        if hinted is None:
            delay = backoff_delay(
                self.failures,
                self.previous,
                base=policy.base,
                cap=policy.cap,
                jitter=policy.jitter,
                random=policy.random,
            )
        else:
            delay = min(policy.cap, max(0.0, hinted))
        if policy.deadline is not None and (
            policy.clock() + delay > self.started + policy.deadline
        ):
            return None  # the next attempt could not start in time: do not sleep for nothing
        self.previous = delay
        return delay


def retry(
    func: F | None = None,
    /,
    *,
    attempts: int = 3,
    base: float = 0.1,
    cap: float = 5.0,
    jitter: Jitter = Jitter.FULL,
    deadline: float | None = None,
    retry_if: Predicate = is_transient,
    hint: Hint = no_hint,
    sleep: Sleep = time.sleep,
    async_sleep: AsyncSleep = asyncio.sleep,
    random: _random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """`retry(func, **options)` is `func` retried; `retry(**options)` is a decorator.

    `attempts` counts every call, the first included. `deadline` is the total budget in
    seconds on `clock`, from the first call: no sleep ends past it. `hint(exc)` may name the
    delay a failure asks for (a `Retry-After`); it replaces the backoff, capped by `cap`.
    A coroutine function is awaited and waits with `async_sleep`, never `sleep`.
    """
    policy = Policy(
        attempts, base, cap, jitter, deadline, retry_if, hint, clock, random or _random.Random()
    )

    def decorate(fn: F) -> F:
        if inspect.iscoroutinefunction(fn):
            return _retrying_async(fn, policy, async_sleep)  # type: ignore[return-value]
        return _retrying(fn, policy, sleep)  # type: ignore[return-value]

    return decorate if func is None else decorate(func)


def _retrying(fn: Callable[..., Any], policy: Policy, sleep: Sleep) -> Callable[..., Any]:
    """`fn`, called until it succeeds, fails for good, or the policy gives up."""

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        schedule = Schedule(policy)
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if not policy.retry_if(exc):
                    raise
                delay = schedule.next_delay(exc)
                if delay is None:
                    raise RetryError(schedule.failures, exc) from exc
            sleep(delay)

    return call


def _retrying_async(
    fn: Callable[..., Awaitable[Any]], policy: Policy, sleep: AsyncSleep
) -> Callable[..., Awaitable[Any]]:
    """The same loop for a coroutine function: an `async def` that awaits `fn` and `sleep`."""

    @functools.wraps(fn)
    async def call(*args: Any, **kwargs: Any) -> Any:
        schedule = Schedule(policy)
        while True:
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                if not policy.retry_if(exc):
                    raise
                delay = schedule.next_delay(exc)
                if delay is None:
                    raise RetryError(schedule.failures, exc) from exc
            await sleep(delay)

    return call
