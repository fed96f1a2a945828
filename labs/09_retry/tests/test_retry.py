"""Task 2: `retry` around a plain function — what is retried, how long it waits, how it
gives up. `sleeper` records each delay and moves the fake `clock`; nothing really sleeps."""

from __future__ import annotations

import random
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from conftest import SEED, FakeClock, Halves, Sleeper, gave_up, raised

from markets_retry.backoff import Jitter
from markets_retry.errors import RetryError
from markets_retry.retry import is_transient, retry

pytestmark = [pytest.mark.core, pytest.mark.task(2)]


class Flaky:
    """A function that raises `errors` one per call (a class: a fresh instance each time),
    then returns "ok". `takes` seconds pass on the clock during each call."""

    def __init__(self, *errors: Any, clock: FakeClock | None = None, takes: float = 0) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.raised: list[BaseException] = []
        self.clock, self.takes = clock, takes

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        self.calls += 1
        if self.clock is not None:
            self.clock.advance(self.takes)
        if self.calls <= len(self.errors):
            error = self.errors[self.calls - 1]
            self.raised.append(
                error := error(f"failure {self.calls}") if isinstance(error, type) else error
            )
            raise_it(error)
        return "ok"


def raise_it(error: BaseException) -> None:
    raise error


def always(error: type[BaseException], n: int = 50) -> list[type[BaseException]]:
    return [error] * n


def wrapped(fn: Callable[..., Any], sleeper: Sleeper, clock: FakeClock, **options: Any) -> Any:
    options = {"base": 1.0, "cap": 30.0, "jitter": Jitter.NONE} | options
    return retry(fn, sleep=sleeper, clock=clock, random=random.Random(SEED), **options)


def delays(sleeper: Sleeper) -> list[float]:
    return [round(d, 6) for d in sleeper.delays]


def test_a_transient_failure_is_retried_until_it_succeeds(sleeper, clock) -> None:
    fn = Flaky(TimeoutError, ConnectionResetError)
    got = wrapped(fn, sleeper, clock, attempts=3)()
    assert (got, fn.calls, delays(sleeper)) == ("ok", 3, [1.0, 2.0]), (
        f"a function failing with TimeoutError, then ConnectionResetError, then returning "
        f"'ok', retried with attempts=3, base=1, no jitter: got {got!r} after {fn.calls} "
        f"calls, sleeping {delays(sleeper)}; expected 'ok' after 3 calls, sleeping [1.0, 2.0] "
        "(task 2)"
    )


def test_the_defaults_are_three_attempts_full_jitter_from_a_tenth_of_a_second(
    sleeper, clock
) -> None:
    fn = Flaky(*always(TimeoutError))
    gave_up(
        raised(retry(fn, sleep=sleeper, clock=clock, random=random.Random(SEED))), "retry(fn)()"
    )
    assert (fn.calls, delays(sleeper)) == (3, [0.046301, 0.074662]), (
        f"retry(fn) with only sleep/clock/random given made {fn.calls} calls and slept "
        f"{delays(sleeper)}; the documented defaults — attempts=3, base=0.1, cap=5, full "
        f"jitter — with Random({SEED}) make 3 calls and sleep [0.046301, 0.074662] (task 2)"
    )


def test_without_random_each_wrapper_draws_from_its_own_unseeded_source(sleeper, clock) -> None:
    drawn = []
    for _ in range(2):
        fn = Flaky(*always(TimeoutError))
        error = raised(retry(fn, attempts=11, sleep=sleeper, clock=clock))
        assert isinstance(error, RetryError), (
            f"retry(fn, attempts=11) with no random= given, on a function that always times "
            f"out, ended with {error!r} after {fn.calls} calls; expected RetryError after 11 — "
            "the default (full) jitter needs a random source when none is passed: a private "
            "random.Random(), never None (a crash on the first retry in production) (task 2)"
        )
        drawn.append(delays(sleeper)[-10:])
    assert drawn[0] != drawn[1], (
        f"two retry(fn) wrappers with no random= given drew the same 10 delays, {drawn[0]}; "
        "expected different ones: a fixed seed (random.Random(0)) makes every process wait "
        "the same jittered delays, so clients that failed together come back together — "
        "the herd jitter exists to break (task 2)"
    )


def test_giving_up_raises_retry_error_from_the_last_failure(sleeper, clock) -> None:
    fn = Flaky(*always(ConnectionRefusedError))
    error = gave_up(raised(wrapped(fn, sleeper, clock, attempts=3)), "3 refused connections")
    assert (getattr(error, "attempts", None), fn.calls) == (3, 3), (
        f"gave up with {error!r}, attempts={getattr(error, 'attempts', None)}, after "
        f"{fn.calls} calls; expected RetryError(attempts=3) after 3 calls (task 2)"
    )
    assert error.__cause__ is fn.raised[-1] and error.last is fn.raised[-1], (
        f"RetryError.__cause__ is {error.__cause__!r} and .last is {error.last!r}; both must "
        f"be the last failure itself, {fn.raised[-1]!r}: `raise RetryError(...) from exc` "
        "keeps the cause a reader of the traceback needs (task 2)"
    )
    frames = [frame.name for frame in traceback.extract_tb(error.__cause__.__traceback__)]
    assert "raise_it" in frames, (
        f"the cause's traceback has frames {frames}; it must still reach the line that "
        "raised it (raise_it): re-raise the exception itself, never a new one (task 2)"
    )


def test_no_sleep_after_the_last_attempt(sleeper, clock) -> None:
    fn = Flaky(*always(TimeoutError))
    gave_up(raised(wrapped(fn, sleeper, clock, attempts=4)), "4 timeouts")
    assert (fn.calls, delays(sleeper)) == (4, [1.0, 2.0, 4.0]), (
        f"attempts=4 on a function that always times out: {fn.calls} calls, slept "
        f"{delays(sleeper)}; expected 4 calls (the first included) and 3 sleeps — waiting "
        "after the last attempt only delays the error (task 2)"
    )


def test_a_single_attempt_never_sleeps(sleeper, clock) -> None:
    fn = Flaky(*always(TimeoutError))
    error = gave_up(raised(wrapped(fn, sleeper, clock, attempts=1)), "attempts=1")
    assert (fn.calls, sleeper.delays, error.attempts) == (1, [], 1), (
        f"attempts=1: {fn.calls} calls, slept {sleeper.delays}, RetryError.attempts="
        f"{error.attempts}; expected one call, no sleep (task 2)"
    )


@pytest.mark.parametrize(
    "error",
    [ValueError, KeyError, TypeError, ZeroDivisionError, FileNotFoundError, PermissionError],
)
def test_a_programming_error_is_raised_unchanged_at_once(sleeper, clock, error) -> None:
    fn = Flaky(*always(error))
    got = raised(wrapped(fn, sleeper, clock, attempts=5))
    assert (got is fn.raised[0], fn.calls, sleeper.delays) == (True, 1, []), (
        f"a function raising {error.__name__} was called {fn.calls} times, slept "
        f"{sleeper.delays}, and {got!r} came out; expected the {error.__name__} "
        "itself after one call: a bug (or a missing file) fails the same way every time, "
        "so retrying it only hides it for longer (task 2)"
    )


def test_a_programming_error_after_a_retry_is_still_raised_as_it_is(sleeper, clock) -> None:
    cause = KeyError("price")
    error = ValueError("no price in the answer")
    error.__cause__ = cause  # as `raise ValueError(...) from exc` leaves it
    fn = Flaky(TimeoutError, error, TimeoutError)
    got = raised(wrapped(fn, sleeper, clock, attempts=5))
    assert (got is error, fn.calls, sleeper.delays) == (True, 2, [1.0]), (
        f"a timeout, then a ValueError: {got!r} came out after {fn.calls} calls, sleeping "
        f"{sleeper.delays}; expected the ValueError itself after 2 calls and one sleep — a "
        "failure that is not retried is never wrapped, whatever came before it (task 2)"
    )
    assert got.__cause__ is cause, (
        f"the ValueError was raised from {cause!r}; it came out with __cause__ "
        f"{got.__cause__!r}: re-raise it with a bare `raise` — `raise exc from None` erases "
        "the cause its traceback needs (task 2)"
    )


@pytest.mark.parametrize(
    "error",
    [
        TimeoutError("t"),
        ConnectionRefusedError("c"),
        ConnectionResetError("r"),
        BrokenPipeError("b"),
        httpx.ConnectError("c"),
        httpx.ConnectTimeout("t"),
        httpx.ReadTimeout("t"),
        httpx.WriteTimeout("t"),
        httpx.PoolTimeout("p"),
        httpx.ReadError("r"),
        httpx.WriteError("w"),
        httpx.CloseError("c"),
    ],
    ids=type,
)
def test_timeouts_and_connection_errors_are_transient(error) -> None:
    assert is_transient(error), (
        f"is_transient({error!r}) is False; timeouts and connection errors are what a retry "
        "is for (task 2)"
    )


@pytest.mark.parametrize(
    "error",
    [
        ValueError("v"),
        KeyError("k"),
        OSError("generic"),
        FileNotFoundError("f"),
        httpx.UnsupportedProtocol("ftp"),
        httpx.HTTPStatusError(
            "404", request=httpx.Request("GET", "http://x"), response=httpx.Response(404)
        ),
        httpx.DecodingError("gzip"),
        httpx.InvalidURL("bad"),
        httpx.TooManyRedirects("loop"),
        RuntimeError("r"),
        AttributeError("a typo"),
    ],
    ids=type,
)
def test_other_failures_are_not_transient(error) -> None:
    assert not is_transient(error), (
        f"is_transient({error!r}) is True; only timeouts and connection errors are: "
        "httpx.HTTPError and httpx.TransportError also cover a bad URL scheme and a 404 "
        "status error, OSError covers a missing file — none goes away by asking again (task 2)"
    )


def test_retry_if_chooses_what_is_retried(sleeper, clock) -> None:
    fn = Flaky(KeyError, KeyError)
    got = wrapped(fn, sleeper, clock, retry_if=lambda exc: isinstance(exc, KeyError))()
    assert (got, fn.calls) == ("ok", 3), (
        f"retry_if=isinstance(exc, KeyError) on a function failing twice with KeyError: "
        f"got {got!r} after {fn.calls} calls; the predicate decides, not a fixed list (task 2)"
    )


@pytest.mark.parametrize("error", [KeyboardInterrupt, SystemExit], ids=lambda e: e.__name__)
def test_interrupts_are_never_retried_even_when_retry_if_says_yes(sleeper, clock, error) -> None:
    fn = Flaky(*always(error))
    got = raised(wrapped(fn, sleeper, clock, attempts=5, retry_if=lambda exc: True))
    assert (got is fn.raised[0], fn.calls, sleeper.delays) == (True, 1, []), (
        f"{error.__name__} was retried: {fn.calls} calls, slept {sleeper.delays}, and "
        f"{got!r} came out; Ctrl-C and "
        "sys.exit() are not failures of the call but the process being told to stop: catch "
        "`Exception`, never `BaseException`, and let them through at once (task 2)"
    )


def test_the_deadline_counts_the_time_the_attempts_take(sleeper, clock) -> None:
    fn = Flaky(*always(TimeoutError), clock=clock, takes=2.0)
    error = gave_up(raised(wrapped(fn, sleeper, clock, attempts=10, deadline=5)), "deadline=5")
    assert (fn.calls, delays(sleeper), error.attempts) == (2, [1.0], 2), (
        f"each call takes 2 s; attempts=10, base=1, deadline=5: {fn.calls} calls, slept "
        f"{delays(sleeper)}; expected 2 calls and one sleep of 1 s — the budget is the clock "
        "since the first call started (t=0: call until 2, sleep until 3, call until 5; a "
        "sleep of 2 would end at 7), not the sum of the sleeps (task 2)"
    )


@pytest.mark.parametrize(
    ("deadline", "calls", "slept"), [(3.0, 3, [1.0, 2.0]), (2.999, 2, [1.0]), (0.5, 1, [])]
)
def test_no_sleep_ends_past_the_deadline(sleeper, clock, deadline, calls, slept) -> None:
    fn = Flaky(*always(TimeoutError))
    retrying = wrapped(fn, sleeper, clock, attempts=10, deadline=deadline)
    clock.advance(100)  # wrapped at start-up, first called 100 s later
    gave_up(raised(retrying), "the deadline")
    assert (fn.calls, delays(sleeper)) == (calls, slept), (
        f"instant calls, base=1, no jitter, deadline={deadline}, the function wrapped 100 s "
        f"before its first call: {fn.calls} calls, slept {delays(sleeper)}; expected {calls} "
        f"calls, sleeping {slept}: a sleep may end at the deadline but not after it — when the "
        "next delay would cross it, give up now instead of sleeping for nothing; and the "
        "budget starts when each call starts, not when the function was wrapped (task 2)"
    )


def test_jittered_retries_stay_inside_the_deadline(sleeper, clock) -> None:
    fn = Flaky(*always(TimeoutError), clock=clock, takes=0.3)
    start = clock()
    retrying = wrapped(fn, sleeper, clock, attempts=50, jitter=Jitter.FULL, base=0.5, deadline=20)
    gave_up(raised(retrying), "full jitter with deadline=20")
    assert clock() - start <= 20 + 0.3, (
        f"full jitter, calls of 0.3 s, deadline=20: the retrying ran for {clock() - start:.2f} "
        f"s (sleeps {delays(sleeper)}); only the last call may run past the deadline (task 2)"
    )


def test_decorator_and_call_forms_pass_arguments_and_keep_the_name(sleeper, clock) -> None:
    seen = []

    @retry(attempts=2, sleep=sleeper, clock=clock)
    def fetch_price(market_id: int, *, currency: str) -> str:
        """The price of a market."""
        seen.append((market_id, currency))
        return "0.42"

    got = fetch_price(7, currency="EUR")
    assert (got, seen) == ("0.42", [(7, "EUR")]), (
        f"@retry(...) on fetch_price(7, currency='EUR') returned {got!r} and saw {seen}; "
        "arguments go through unchanged, the result comes back (task 2)"
    )
    assert (fetch_price.__name__, fetch_price.__doc__) == (
        "fetch_price",
        "The price of a market.",
    ), (
        f"the wrapper is named {fetch_price.__name__!r}: functools.wraps keeps the name and "
        "docstring, so tracebacks and logs still say which function failed (task 2)"
    )
    assert retry(lambda x: x * 2, attempts=2)(21) == 42, "retry(fn, **options)(21) (task 2)"


class AsksFor(Exception):
    """A transient failure that names the delay it wants (as a `Retry-After` does)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"come back in {seconds} s")
        self.seconds = seconds


@pytest.mark.parametrize(
    ("asked", "deadline", "slept"),
    [(3.0, None, 3.0), (100.0, None, 30.0), (100.0, 60.0, 30.0), (-5.0, None, 0.0),
     (0.0, None, 0.0)],
)  # fmt: skip
def test_a_hint_replaces_the_backoff_capped_and_never_negative(
    sleeper, clock, asked, deadline, slept
):
    fn = Flaky(AsksFor(asked))
    got = (
        raised(
            wrapped(
                fn,
                sleeper,
                clock,
                deadline=deadline,
                retry_if=lambda exc: isinstance(exc, AsksFor),
                hint=lambda exc: exc.seconds if isinstance(exc, AsksFor) else None,
            )
        )
        or "ok"
    )
    assert (got, sleeper.delays) == ("ok", [slept]), (
        f"a failure whose hint asks for {asked} s (base=1, cap=30, deadline={deadline}), then "
        f"success: ended with {got!r}, slept {sleeper.delays}; expected 'ok' after "
        f"[{slept}] — the hint replaces the backoff, the cap bounds it, a negative wait is no "
        "wait, and the deadline is checked against the delay actually slept (the capped "
        "one), not the raw hint (task 2)"
    )


def test_each_call_starts_a_fresh_schedule(sleeper, clock) -> None:
    fn = Flaky(TimeoutError, TimeoutError, clock=clock)
    decorated = retry(
        fn, attempts=3, base=1, cap=30, jitter=Jitter.DECORRELATED, sleep=sleeper,
        clock=clock, random=Halves(),
    )  # fmt: skip
    decorated()
    fn.calls, fn.errors = 0, [TimeoutError, TimeoutError]
    second = raised(decorated) or "ok"
    assert (second, delays(sleeper)) == ("ok", [2.0, 3.5, 2.0, 3.5]), (
        f"two calls of one decorated function, each failing twice, decorrelated jitter with "
        f"every draw in the middle: the second ended with {second!r}, slept "
        f"{delays(sleeper)}; expected [2.0, 3.5] for each call — failures, the previous "
        "delay and the deadline's start belong to one call, not to "
        "the decorator (task 2)"
    )


def test_decorrelated_jitter_grows_from_a_hinted_delay(sleeper, clock) -> None:
    fn = Flaky(AsksFor(10.0), TimeoutError)
    got = raised(
        retry(
            fn, attempts=3, base=1, cap=30, jitter=Jitter.DECORRELATED, sleep=sleeper,
            clock=clock, random=Halves(),
            hint=lambda exc: exc.seconds if isinstance(exc, AsksFor) else None,
            retry_if=lambda exc: isinstance(exc, (AsksFor, TimeoutError)),
        )
    ) or "ok"  # fmt: skip
    assert (got, delays(sleeper)) == ("ok", [10.0, 15.5]), (
        f"decorrelated jitter (base=1, cap=30, every draw in the middle): a failure hinting "
        f"10 s, then a timeout, then success: ended with {got!r}, slept {delays(sleeper)}; "
        "expected 'ok' after [10.0, 15.5] — `previous` is the delay last slept, a hinted one "
        "too: uniform(1, 10 * 3) = 15.5, not uniform(1, 1 * 3) = 2 (task 2)"
    )


@pytest.mark.parametrize(
    "options",
    [{"attempts": 0}, {"base": 0}, {"base": 2, "cap": 1}, {"deadline": 0}],
    ids=str,
)
def test_impossible_options_are_refused_when_wrapping(options) -> None:
    try:
        retry(lambda: None, **options)
    except ValueError:
        return
    pytest.fail(
        f"retry(fn, **{options}) was accepted; expected a ValueError when wrapping: no "
        "attempt at all, a zero base, a cap below the base or no time budget is a "
        "configuration mistake, better found at start-up than at the first outage (task 2)"
    )
