"""Task 4: `RetryingClient` — which answers and errors are retried, for which requests, and
how long it waits. `upstream` is the pricing service (an `httpx.MockTransport` playing a
script); `make_pricing(...)` a client over it: attempts=3, base=1, cap=30, no jitter."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from conftest import NOW, SEED, UPSTREAM, gave_up, raised

from markets_retry.backoff import Jitter
from markets_retry.http_client import AsyncRetryingClient, RetryingClient, parse_retry_after

pytestmark = [pytest.mark.core, pytest.mark.task(4)]


def busy(status: int = 503, retry_after: str | None = None) -> httpx.Response:
    headers = {} if retry_after is None else {"Retry-After": retry_after.encode()}
    return httpx.Response(status, headers=headers, json={"error": "busy"})


def seen(upstream, sleeper) -> str:
    return f"{upstream.calls} requests, sleeps {[round(d, 6) for d in sleeper.delays]}"


def test_a_503_then_200_is_retried_with_backoff(upstream, sleeper, make_pricing) -> None:
    upstream.plays(503, 503, 200)
    response = make_pricing().get("/prices/1")
    assert (response.status_code, upstream.calls, sleeper.delays) == (200, 3, [1.0, 2.0]), (
        f"pricing answered 503, 503, 200; GET /prices/1 came back {response.status_code} after "
        f"{seen(upstream, sleeper)}; expected 200 after 3 requests, sleeping [1.0, 2.0] (task 4)"
    )


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_not_now_answers_are_retried(upstream, sleeper, make_pricing, status) -> None:
    upstream.plays(status, 200)
    response = make_pricing().get("/prices/1")
    assert (response.status_code, upstream.calls) == (200, 2), (
        f"pricing answered {status}, then 200: got {response.status_code} after "
        f"{seen(upstream, sleeper)}; a {status} means 'not now', so it is asked again (task 4)"
    )


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 500, 501])
def test_final_answers_are_never_retried(upstream, sleeper, make_pricing, status) -> None:
    upstream.plays(status, 200)
    response = make_pricing().get("/prices/1")
    assert (response.status_code, upstream.calls, sleeper.delays) == (status, 1, []), (
        f"pricing answered {status}: the client made {seen(upstream, sleeper)} and returned "
        f"{response.status_code}; expected the {status} back after one request — asking again "
        "gets the same answer (a 500 is a bug on their side, not a pause; only 429, 502, "
        "503 and 504 say 'not now') (task 4)"
    )


def test_timeouts_and_connection_errors_are_retried(upstream, sleeper, make_pricing) -> None:
    upstream.plays(httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), 200)
    response = make_pricing().get("/prices/1")
    assert (response.status_code, upstream.calls) == (200, 3), (
        f"pricing refused the connection, then timed out, then answered 200: got "
        f"{response.status_code} after {seen(upstream, sleeper)}; expected 200 after 3 (task 4)"
    )


def test_when_attempts_run_out_the_last_answer_comes_back(upstream, sleeper, make_pricing):
    upstream.plays(503)
    pricing, answers = make_pricing(), []
    error = raised(lambda: answers.append(pricing.get("/prices/1")))
    assert error is None, (
        f"pricing always answered 503: the client raised {error!r}; a 503 is an answer, not "
        "an exception — when the retries run out, return the last answer (task 4)"
    )
    response = answers[0]
    assert (response.status_code, upstream.calls, sleeper.delays) == (503, 3, [1.0, 2.0]), (
        f"pricing always answered 503: got {response.status_code} after "
        f"{seen(upstream, sleeper)}; expected the last 503 back after 3 requests and 2 sleeps "
        "(the caller decides what a 503 means for it) (task 4)"
    )


def test_when_attempts_run_out_on_errors_retry_error_is_raised_from_the_last(
    upstream, sleeper, make_pricing
) -> None:
    errors = [httpx.ConnectError(f"refused {n}") for n in (1, 2, 3)]
    upstream.plays(*errors)
    pricing = make_pricing()
    error = gave_up(raised(lambda: pricing.get("/prices/1")), "3 refused connections")
    assert (error.attempts, error.__cause__) == (3, errors[-1]), (
        f"three refused connections raised {error!r} with cause "
        f"{error.__cause__!r}; expected RetryError(attempts=3) from the third "
        "ConnectError (task 4)"
    )


@pytest.mark.parametrize(
    ("status", "retry_after", "slept"),
    [
        (503, "7", 7.0),
        (429, "0", 0.0),
        (503, " 12 ", 12.0),
        (429, "Thu, 01 Jan 2026 12:00:04 GMT", 4.0),
        (503, "Thu, 01 Jan 2026 11:00:00 GMT", 0.0),
    ],
    ids=["seconds", "zero", "spaces", "http-date", "date-in-the-past"],
)
def test_retry_after_replaces_the_backoff(
    upstream, sleeper, make_pricing, status, retry_after, slept
) -> None:
    upstream.plays(busy(status, retry_after), 200)
    response = make_pricing().get("/prices/1")
    assert (response.status_code, sleeper.delays) == (200, [slept]), (
        f"pricing answered {status} with Retry-After: {retry_after!r} (now is "
        f"{NOW:%H:%M:%S} UTC), then 200: the client slept {sleeper.delays}; expected "
        f"[{slept}] — the server said when to come back: seconds (not milliseconds), or an "
        "HTTP date (a date already past means now) (task 4)"
    )


@pytest.mark.parametrize("retry_after", ["3600", "9" * 5000], ids=["an-hour", "5000-digits"])
def test_a_huge_retry_after_is_capped(upstream, sleeper, make_pricing, retry_after) -> None:
    upstream.plays(busy(503, retry_after), 200)
    try:
        response = make_pricing(cap=30.0).get("/prices/1")
    except Exception as exc:
        pytest.fail(
            f"Retry-After: {retry_after[:12]}… (cap=30) raised {exc!r}; a header the server "
            "wrote is never a crash of ours — int() of 5,000 digits raises ValueError, "
            "float() gives inf, and the cap bounds it (task 4)"
        )
    assert (response.status_code, sleeper.delays) == (200, [30.0]), (
        f"Retry-After: {retry_after[:12]}… with cap=30: the client slept {sleeper.delays} and "
        f"answered {response.status_code}; expected one sleep of 30 s — `cap` bounds the "
        "server's value too, and int() of 5,000 digits raises ValueError (task 4)"
    )


@pytest.mark.parametrize("retry_after", ["-5", "soon", "", "٧", "nan", "1e3", "0x10"])
def test_a_garbage_retry_after_falls_back_to_the_backoff(
    upstream, sleeper, make_pricing, retry_after
) -> None:
    upstream.plays(busy(503, retry_after), 200)
    try:
        response = make_pricing().get("/prices/1")
    except Exception as exc:
        pytest.fail(f"Retry-After: {retry_after!r} raised {exc!r}; ignore it instead (task 4)")
    assert (response.status_code, sleeper.delays) == (200, [1.0]), (
        f"Retry-After: {retry_after!r} is neither whole seconds nor an HTTP date; the client "
        f"slept {sleeper.delays}; expected the backoff's [1.0] — a value that cannot be read "
        "is ignored, never trusted, never a crash (task 4)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("120", 120.0),
        ("Thu, 01 Jan 2026 12:02:00 GMT", 120.0),
        ("Thu, 01 Jan 2026 12:00:30 -0000", 30.0),
        ("Thu, 01 Jan 2026 14:00:04 +0200", 4.0),
        ("Wed, 31 Dec 2025 12:00:00 GMT", 0.0),
        ("-1", None),
        ("1.5", None),
        ("Thu, 99 Foo 2026", None),
    ],
)
def test_parse_retry_after(value, expected, in_new_york) -> None:
    try:
        got = parse_retry_after(value, NOW)
    except Exception as exc:
        got = exc
    assert got == expected, (
        f"parse_retry_after({value!r}, now={NOW.isoformat()}) on a server whose local time "
        f"zone is New York (TZ={in_new_york}) returned {got!r}; expected {expected!r}: "
        "delay-seconds is ASCII digits, an HTTP date counts from now and is 0 once past; a "
        "date keeps its own offset (+0200 is two hours ahead of UTC), and a date in -0000 "
        "has no known zone: take it as UTC — never as the server's local time (a naive "
        "datetime's .timestamp() is local); anything else is None (RFC 9110 §10.2.3) (task 4)"
    )


@pytest.fixture
def in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The process's local time zone is New York (UTC-5 in January) for one test."""
    zone = "EST5EDT,M3.2.0,M11.1.0"  # POSIX rules: no tz database needed
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    yield zone
    monkeypatch.undo()
    time.tzset()


def test_parse_retry_after_uses_the_clock_it_is_given() -> None:
    later = datetime(2026, 1, 1, 12, 1, 0, tzinfo=NOW.tzinfo)
    got = parse_retry_after("Thu, 01 Jan 2026 12:02:00 GMT", later)
    assert got == 60.0, f"one minute before the date, parse_retry_after gave {got} (task 4)"


def test_a_retry_after_past_the_deadline_gives_up_without_sleeping(
    upstream, sleeper, make_pricing
) -> None:
    upstream.plays(busy(503, "20"), 200)
    response = make_pricing(cap=60.0, deadline=10.0).get("/prices/1")
    assert (response.status_code, upstream.calls, sleeper.delays) == (503, 1, []), (
        f"Retry-After: 20 with deadline=10: the client made {seen(upstream, sleeper)} and "
        f"returned {response.status_code}; expected the 503 back at once — waiting 20 s "
        "would break the budget, and asking sooner than the server said is refused (task 4)"
    )


def test_full_jitter_reaches_the_client(upstream, sleeper, make_pricing) -> None:
    upstream.plays(503, 503, 200)
    make_pricing(jitter=Jitter.FULL).get("/prices/1")
    got = [round(d, 6) for d in sleeper.delays]
    assert got == [0.463007, 0.746624], (
        f"jitter=full, base=1, Random(SEED): the client slept {got}; expected "
        "[0.463007, 0.746624] — the client's options and random source go to its retries "
        "(task 4)"
    )


@pytest.mark.parametrize("method", ["POST", "PATCH", "post"])
def test_a_write_without_idempotency_key_is_sent_once(
    upstream, sleeper, make_pricing, method
) -> None:
    upstream.plays(503, 200)
    response = make_pricing().request(method, "/prices/1", json={"price": "0.5"})
    assert (response.status_code, upstream.calls) == (503, 1), (
        f"{method} /prices/1 without an Idempotency-Key: pricing answered 503 and the client "
        f"made {seen(upstream, sleeper)}; expected the 503 back after one request — the first "
        "may have been applied before the 503 (or the timeout), and a second would apply it "
        "twice (task 4)"
    )


def test_a_write_without_idempotency_key_raises_its_own_error(upstream, make_pricing) -> None:
    error = httpx.ReadTimeout("no answer")
    upstream.plays(error, 200)
    pricing = make_pricing()
    got = raised(lambda: pricing.post("/prices/1", json={"price": "0.5"}))
    assert (got, upstream.calls) == (error, 1), (
        f"a POST without Idempotency-Key timed out: {got!r} after {upstream.calls} "
        f"requests; expected the ReadTimeout itself after one — a request that may not be "
        "retried was not retried, so nothing 'gave up' (task 4)"
    )


@pytest.mark.parametrize(
    ("method", "header"),
    [("POST", "Idempotency-Key"), ("POST", "idempotency-key"), ("PATCH", "Idempotency-Key")],
)
def test_a_write_with_an_idempotency_key_is_retried_unchanged(
    upstream, sleeper, make_pricing, method, header
) -> None:
    upstream.plays(503, 200)
    response = make_pricing().request(
        method, "/prices/1", json={"price": "0.5"}, headers={header: "order-7f3a"}
    )
    sent = [(r.headers.get("Idempotency-Key"), r.content) for r in upstream.requests]
    assert (response.status_code, upstream.calls) == (200, 2), (
        f"{method} with {header}: order-7f3a, pricing answered 503 then 200: got "
        f"{response.status_code} after {seen(upstream, sleeper)}; expected 200 after 2 — "
        "the key lets the server apply it once however often it arrives — a POST or a PATCH "
        "(header names are case-insensitive) (task 4)"
    )
    assert sent[0] == sent[1] == ("order-7f3a", b'{"price":"0.5"}'), (
        f"the two attempts sent (key, body) {sent}; a retry is the same request again (task 4)"
    )


def test_a_blank_idempotency_key_is_no_key(upstream, make_pricing) -> None:
    upstream.plays(503, 200)
    response = make_pricing().post("/prices/1", json={}, headers={"Idempotency-Key": ""})
    assert (response.status_code, upstream.calls) == (503, 1), (
        f"POST with an empty Idempotency-Key was retried ({upstream.calls} requests); an "
        "empty key identifies nothing (task 4)"
    )


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_idempotent_methods_are_retried(upstream, make_pricing, method) -> None:
    upstream.plays(503, 204)
    response = make_pricing().request(method, "/prices/1")
    assert (response.status_code, upstream.calls) == (204, 2), (
        f"{method} answered 503 then 204: got {response.status_code} after {upstream.calls} "
        f"requests; {method} is idempotent (RFC 9110 §9.2.2): repeating it changes nothing "
        "more, so it is retried (task 4)"
    )


def test_the_client_defaults_are_three_attempts_full_jitter_from_a_tenth(upstream, sleeper, clock):
    upstream.plays(503)
    with httpx.Client(transport=httpx.MockTransport(upstream), base_url=UPSTREAM) as http:
        pricing = RetryingClient(http, sleep=sleeper, clock=clock, random=random.Random(SEED))
        response = pricing.get("/prices/1")
    got = (response.status_code, upstream.calls, [round(d, 6) for d in sleeper.delays])
    assert got == (503, 3, [0.046301, 0.074662]), (
        f"RetryingClient(http) with its defaults against a pricing service stuck at 503: "
        f"(status, requests, sleeps) = {got}; the documented defaults — attempts=3, base=0.1, "
        f"cap=5, full jitter — with Random({SEED}) give (503, 3, [0.046301, 0.074662]) (task 4)"
    )


def test_the_client_without_random_still_jitters(upstream, sleeper, clock) -> None:
    upstream.plays(503)
    with httpx.Client(transport=httpx.MockTransport(upstream), base_url=UPSTREAM) as http:
        pricing = RetryingClient(http, sleep=sleeper, clock=clock)
        answers = []
        error = raised(lambda: answers.append(pricing.get("/prices/1")))
    got = (answers[0].status_code if answers else error, upstream.calls)
    slept = sleeper.delays
    within = len(slept) == 2 and 0 <= slept[0] <= 0.1 and 0 <= slept[1] <= 0.2
    assert got == (503, 3) and within, (
        f"RetryingClient(http) with no random= given, against a pricing service stuck at "
        f"503: (status, requests) = {got}, sleeps {slept}; expected the last 503 back after 3 "
        "requests, sleeping a full-jitter draw of at most 0.1 then 0.2 s — with no random "
        "source given, the retries draw from a private random.Random(), never None (which "
        "crashes, a 500, on the first jittered retry in production) (task 4)"
    )


def run_async(upstream, sleeper, clock, call, **options):
    """Run `call(client)` on an AsyncRetryingClient over `upstream`; what it returned/raised."""

    async def scenario():
        transport = httpx.MockTransport(upstream)
        async with httpx.AsyncClient(transport=transport, base_url=UPSTREAM) as http:
            pricing = AsyncRetryingClient(
                http,
                async_sleep=sleeper.async_sleep,
                clock=clock,
                random=random.Random(SEED),
                now=lambda: NOW,
                **{"attempts": 3, "base": 1.0, "cap": 30.0, "jitter": Jitter.NONE} | options,
            )
            return await call(pricing)

    box = []
    error = raised(lambda: box.append(asyncio.run(scenario())))
    return (box[0] if box else None), error


def test_the_async_client_retries_with_backoff_and_retry_after(upstream, sleeper, clock):
    date = "Thu, 01 Jan 2026 12:00:04 GMT"
    upstream.plays(503, busy(429, "7"), busy(503, date), 200)
    response, error = run_async(upstream, sleeper, clock, lambda c: c.get("/prices/1"), attempts=4)
    got = (getattr(response, "status_code", error), upstream.calls, sleeper.delays)
    assert got == (200, 4, [1.0, 7.0, 4.0]), (
        f"AsyncRetryingClient (attempts=4, now={NOW:%H:%M:%S} UTC given as now=) against 503, "
        f"429 with Retry-After: 7, 503 with Retry-After: {date}, then 200: (status, requests, "
        f"sleeps) = {got}; expected (200, 4, [1.0, 7.0, 4.0]) — the same rules as the sync "
        "client, awaiting async_sleep, and an HTTP date read against the `now` it was given, "
        "not the real clock (task 4)"
    )


def test_the_async_client_returns_the_last_answer_and_sends_a_bare_post_once(
    upstream, sleeper, clock
) -> None:
    upstream.plays(503)
    response, error = run_async(upstream, sleeper, clock, lambda c: c.get("/prices/1"))
    got = (getattr(response, "status_code", error), upstream.calls)
    assert got == (503, 3), (
        f"AsyncRetryingClient against a pricing service stuck at 503: (status, requests) = "
        f"{got}; expected the last 503 back after 3 requests (task 4)"
    )
    upstream.requests.clear()
    response, error = run_async(upstream, sleeper, clock, lambda c: c.post("/prices/1", json={}))
    got = (getattr(response, "status_code", error), upstream.calls)
    assert got == (503, 1), (
        f"an async POST without Idempotency-Key against a 503: (status, requests) = {got}; "
        "expected one request — a write that cannot be deduplicated is sent once (task 4)"
    )


def test_the_async_client_gives_up_with_retry_error_from_the_last(upstream, sleeper, clock):
    errors = [httpx.ConnectTimeout(f"timeout {n}") for n in (1, 2, 3)]
    upstream.plays(*errors)
    _, error = run_async(upstream, sleeper, clock, lambda c: c.get("/prices/1"))
    error = gave_up(error, "AsyncRetryingClient, three connect timeouts")
    assert (error.attempts, error.__cause__) == (3, errors[-1]), (
        f"three connect timeouts raised {error!r} from {error.__cause__!r}; expected "
        "RetryError(attempts=3) from the third (task 4)"
    )


def test_the_async_client_defaults_match_the_sync_client(upstream, sleeper, clock) -> None:
    async def scenario():
        async with httpx.AsyncClient(
            transport=httpx.MockTransport(upstream), base_url=UPSTREAM
        ) as http:
            pricing = AsyncRetryingClient(
                http, async_sleep=sleeper.async_sleep, clock=clock, random=random.Random(SEED)
            )
            return await pricing.get("/prices/1")

    upstream.plays(503)
    box = []
    error = raised(lambda: box.append(asyncio.run(scenario())))
    got = (
        box[0].status_code if box else error,
        upstream.calls,
        [round(d, 6) for d in sleeper.delays],
    )
    assert got == (503, 3, [0.046301, 0.074662]), (
        f"AsyncRetryingClient(http) with its defaults against a 503: (status, requests, "
        f"sleeps) = {got}; expected (503, 3, [0.046301, 0.074662]), as the sync client (task 4)"
    )
