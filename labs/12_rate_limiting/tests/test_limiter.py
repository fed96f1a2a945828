"""Task 1: the sliding-window limiter, on Redis, with a fake clock (no test sleeps)."""

from __future__ import annotations

import contextlib
import math
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from redis.commands.core import Script

from markets_ratelimit.limiter import Decision, SlidingWindowLimiter

pytestmark = [pytest.mark.core, pytest.mark.task(1)]
Make = Callable[..., SlidingWindowLimiter]


def admitted(decisions: list[Decision]) -> int:
    return sum(d.allowed for d in decisions)


def test_admits_exactly_the_limit_counting_remaining_down(make_limiter: Make) -> None:
    limiter = make_limiter(limit=3, window=60)
    got = [limiter.hit("ip:1.2.3.4") for _ in range(4)]
    assert [d.allowed for d in got] == [True, True, True, False], (
        f"4 hits on a limiter of 3 per 60 s answered allowed={[d.allowed for d in got]}; "
        "the first 3 fit, the 4th is refused (task 1)"
    )
    assert [d.remaining for d in got] == [2, 1, 0, 0], (
        f"remaining after each of 4 hits was {[d.remaining for d in got]}; it counts what is "
        "left after this request: 2, 1, 0, then 0 for the refused one (task 1)"
    )
    assert {d.limit for d in got} == {3}, f"limit was {[d.limit for d in got]}, not 3 (task 1)"
    assert got[0].retry_after == 0, (
        f"an admitted request had retry_after={got[0].retry_after}; it is 0 when allowed (task 1)"
    )


def test_separate_keys_have_separate_budgets(make_limiter: Make) -> None:
    limiter = make_limiter(limit=2, window=60)
    for _ in range(2):
        limiter.hit("ip:1.1.1.1")
    other = limiter.hit("ip:2.2.2.2")
    assert other.allowed and other.remaining == 1, (
        f"after ip:1.1.1.1 used its 2 requests, ip:2.2.2.2's first hit answered {other}; "
        "each key has a budget of its own (task 1)"
    )


def test_retry_after_is_the_time_until_the_oldest_request_leaves(make_limiter: Make, clock):
    limiter = make_limiter(limit=3, window=60)
    for _ in range(3):
        limiter.hit("k")
        clock.advance(20)  # hits at t = 0, 20, 40
    clock.advance(-9.5)  # t = 50.5
    refused = limiter.hit("k")
    assert (refused.allowed, refused.retry_after, refused.reset) == (False, 10, 10), (
        f"limit 3 per 60 s, hits at t=0, 20, 40; at t=50.5 hit() answered {refused}; expected "
        "refused with retry_after=10 and reset=10: the oldest request (t=0) leaves the window "
        "at t=60, 9.5 s later, rounded UP to whole seconds (a client retrying after 9 s would "
        "be refused again; one told 60 s waits 50 s too long) (task 1)"
    )
    clock.advance(9.499)  # t = 59.999
    almost = limiter.hit("k")
    assert (almost.allowed, almost.retry_after) == (False, 1), (
        f"at t=59.999 hit() answered {almost}; the oldest request leaves at t=60, so it is "
        "still refused, with retry_after=1 (never 0: ceil, at least 1 s) (task 1)"
    )
    clock.advance(0.001)  # t = 60
    back = limiter.hit("k")
    assert back.allowed and back.remaining == 0, (
        f"at t=60 (the t=0 request has left the 60 s window) hit() answered {back}; expected "
        "admitted with remaining=0 (t=20, 40 and this one are counted) (task 1)"
    )
    again = limiter.hit("k")
    assert (again.allowed, again.retry_after) == (False, 20), (
        f"at t=60 with hits at 20, 40, 60 counted, hit() answered {again}; expected refused "
        "with retry_after=20, when the t=20 request leaves (task 1)"
    )


def test_the_window_is_measured_to_the_millisecond(make_limiter: Make, clock) -> None:
    limiter = make_limiter(limit=3, window=60)
    start = clock.now
    for at in (0.9, 20, 40):
        clock.now = start + at
        limiter.hit("k")
    clock.now = start + 60.5
    early = limiter.hit("k")
    clock.now = start + 60.9
    on_time = limiter.hit("k")
    assert (early.allowed, early.retry_after, on_time.allowed) == (False, 1, True), (
        f"limit 3 per 60 s, hits at t=0.9, 20, 40: at t=60.5 hit() answered {early}, at t=60.9 "
        f"{on_time}; expected refused with retry_after=1 (the t=0.9 request leaves at 60.9), "
        "then admitted: the clock is read in milliseconds — cut to whole seconds, t=0.9 "
        "becomes t=0 and leaves the window up to a second early (task 1)"
    )


def test_reset_of_an_admitted_request_is_when_the_oldest_leaves(make_limiter: Make, clock):
    limiter = make_limiter(limit=5, window=30)
    first = limiter.hit("k")
    clock.advance(12.2)
    second = limiter.hit("k")
    clock.advance(7.795)
    third = limiter.hit("k")
    got = (first.reset, second.reset, third.reset)
    assert got == (30, 18, 11), (
        f"limit 5 per 30 s: hits at t=0, 12.2 and 19.995 answered reset={got}; expected "
        "(30, 18, 11) — ceil(30), ceil(17.8), ceil(10.005): reset is the time until the "
        "oldest counted request leaves (then one more fits), in whole seconds rounded up "
        "(task 1)"
    )


def test_no_double_burst_across_a_window_boundary(make_limiter: Make, clock) -> None:
    limiter = make_limiter(limit=3, window=60)
    boundary = (math.floor(clock.now / 60) + 1) * 60  # where a fixed 60 s window would reset
    clock.now = boundary - 0.5
    late = [limiter.hit("k") for _ in range(3)]
    clock.now = boundary + 0.5
    early = [limiter.hit("k") for _ in range(3)]
    assert admitted(late) == 3 and admitted(early) == 0, (
        f"limit 3 per 60 s: 3 hits 0.5 s before a minute boundary admitted {admitted(late)}, "
        f"3 more 0.5 s after it admitted {admitted(early)}; expected 3 then 0 — the window "
        "slides, so 6 requests in 1 s is twice the limit. A fixed window (a counter per "
        "minute) resets at the boundary and lets a 2x burst through (task 1)"
    )


def test_requests_in_the_same_millisecond_count_separately(make_limiter: Make, redis) -> None:
    limiter = make_limiter(limit=3, window=60)  # the fake clock does not move: same instant
    got = [limiter.hit("k") for _ in range(5)]
    counted = redis.zcard("ratelimit:k") if redis.type("ratelimit:k") == "zset" else None
    assert admitted(got) == 3, (
        f"5 hits at the same instant on a limit of 3 admitted {admitted(got)}; each request "
        "is its own member in the log: a member that is only the timestamp makes requests in "
        f"the same millisecond overwrite each other (the log holds {counted}) (task 1)"
    )


def test_refused_requests_do_not_push_the_window_forward(make_limiter: Make, clock) -> None:
    limiter = make_limiter(limit=2, window=10)
    limiter.hit("k")
    clock.advance(1)
    limiter.hit("k")  # hits at t = 0 and 1
    for _ in range(8):
        clock.advance(1)
        limiter.hit("k")  # t = 2 … 9: refused, and not counted
    clock.advance(1)  # t = 10: the t=0 request has left
    back = limiter.hit("k")
    assert back.allowed, (
        f"limit 2 per 10 s, admitted at t=0 and 1, refused every second from t=2 to 9; at "
        f"t=10 hit() answered {back}; expected admitted — a refused request is not counted, "
        "or a client retrying too early would be locked out for as long as it keeps trying "
        "(task 1)"
    )


def test_every_key_expires_within_the_window(make_limiter: Make, redis, clock) -> None:
    limiter = make_limiter(limit=2, window=60)
    for n in range(10):
        for _ in range(3):  # 2 admitted and 1 refused per key
            limiter.hit(f"ip:203.0.113.{n}")
        limiter.hit(f"ip:198.51.100.{n}")  # and a client seen only once
        clock.advance(1)
    keys = list(redis.scan_iter("*"))
    assert len(keys) >= 20, (
        f"after hits for 20 clients Redis holds {len(keys)} keys ({keys[:3]}…); the budget "
        "lives in Redis, shared by every worker and app instance (task 1)"
    )
    ttls = {key: redis.pttl(key) for key in keys}
    bad = {key: ttl for key, ttl in ttls.items() if not 0 < ttl <= 60_000}
    assert not bad, (
        f"keys with a PTTL not in (0, 60000] ms after a burst: {dict(list(bad.items())[:3])} "
        "(-1 means no expiry); every key must expire once its window has passed, or each "
        "client ever seen keeps a key forever — a client seen once included: PEXPIRE on a "
        "key that does not exist yet does nothing (task 1)"
    )
    assert min(ttls.values()) > 50_000, (
        f"PTTLs after a burst: {sorted(ttls.values())[:3]}…; a key lives about one window "
        "(60 s) after its last admitted request, not less (task 1)"
    )


def test_each_admitted_request_renews_the_expiry(make_limiter: Make, redis) -> None:
    limiter = make_limiter(limit=5, window=60)
    limiter.hit("k")
    keys = list(redis.scan_iter("*"))
    assert len(keys) == 1, f"one hit for one key left the keys {keys} in Redis (task 1)"
    redis.pexpire(keys[0], 1_000)  # as if most of the window had passed
    limiter.hit("k")
    ttl = redis.pttl(keys[0])
    assert ttl > 50_000, (
        f"after a second admitted request the key's PTTL is {ttl} ms; each admitted request "
        "renews the expiry to a full window (60 s): set only when the key is new, the key "
        "— and with it the log — vanishes while its latest requests still count (task 1)"
    )


class RecordingRedis:
    """A Redis client that records the commands sent through it, scripts included."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.commands: list[str] = []
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def register_script(self, script: str) -> Script:
        self.commands.append("register_script")
        return Script(self, script)  # the script's calls come back through this proxy

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if not callable(attr) or name == "get_encoder":
            return attr

        def command(*args: Any, **kwargs: Any) -> Any:
            self.commands.append(name)
            self.calls.append((name, args))
            return attr(*args, **kwargs)

        return command


def test_each_check_is_one_evalsha_of_a_script_registered_once(make_limiter: Make, redis):
    recording = RecordingRedis(redis)
    limiter = make_limiter(limit=2, window=60, client=recording)
    limiter.hit("k")  # the first call may also load the script into the server
    recording.commands.clear()
    recording.calls.clear()
    for _ in range(3):  # admitted, then refused twice
        limiter.hit("k")
    assert recording.commands == ["evalsha"] * 3, (
        f"3 checks sent {recording.commands}; each check is ONE round trip, an EVALSHA of the "
        "script registered once with redis.register_script in __init__: EVAL resends the "
        "whole script every time, and two commands are two round trips (task 1)"
    )
    declared = [(args[1], args[2]) for name, args in recording.calls if name == "evalsha"]
    assert declared == [(1, "ratelimit:k")] * 3, (
        f"the EVALSHA calls for key 'k' declared (numkeys, KEYS[1]) = {declared}; expected "
        "(1, 'ratelimit:k') each time: the key goes in KEYS (keys=[...]), never in ARGV — a "
        "script may only touch the keys it declares, and Redis Cluster routes the call to "
        "the node owning them (task 1)"
    )


def test_the_log_never_outgrows_the_limit(make_limiter: Make, redis, clock) -> None:
    limiter = make_limiter(limit=3, window=10)
    for _ in range(25):  # one request every 4 s for 100 s: never more than 3 in 10 s
        assert limiter.hit("k").allowed, "a request every 4 s fits 3 per 10 s (task 1)"
        clock.advance(4)
    sizes = {key: redis.zcard(key) for key in redis.scan_iter("*") if redis.type(key) == "zset"}
    assert sizes and max(sizes.values()) <= 3, (
        f"after 25 admitted requests over 100 s (limit 3 per 10 s) the logs hold {sizes}; "
        "each check removes what left the window, so a log holds at most `limit` entries: "
        "counting only the recent ones (ZCOUNT) while keeping the old ones grows the key for "
        "as long as the client stays active, its TTL renewed every time (task 1)"
    )


def test_two_instances_on_one_redis_share_the_budget(make_limiter: Make) -> None:
    worker_1, worker_2 = make_limiter(limit=3, window=60), make_limiter(limit=3, window=60)
    for _ in range(3):
        worker_1.hit("user:ada")
    other = worker_2.hit("user:ada")
    assert not other.allowed, (
        f"worker 1 admitted 3 requests for user:ada (limit 3); worker 2, on the same Redis, "
        f"answered {other} for the 4th; the budget is per service, not per process: keep "
        "the count in Redis, not in a dict (task 1)"
    )


class RacingRedis:
    """A Redis client where every thread's first read waits until each thread has read.

    It forces the interleaving a check-then-act limiter loses to (all threads read the count,
    then all add): one atomic script call passes, a read and then a write in two round trips
    over-admits, on fakeredis as on a real server.
    """

    READS = frozenset(
        {"get", "mget", "exists", "ttl", "pttl", "type", "zcard", "zcount", "zrange"}
        | {"zrangebyscore", "zrevrange", "zscore", "zrank", "llen", "lrange", "hget", "scard"}
    )

    def __init__(self, real: Any, parties: int) -> None:
        self._real = real
        self._barrier = threading.Barrier(parties, timeout=3)
        self._state = threading.local()
        self.armed = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if name == "pipeline":
            return lambda *args, **kwargs: _RacingPipeline(attr(*args, **kwargs), self)
        if name not in self.READS:
            return attr

        def read(*args: Any, **kwargs: Any) -> Any:
            result = attr(*args, **kwargs)
            self.after_read()
            return result

        return read

    def after_read(self) -> None:
        if self.armed and not getattr(self._state, "waited", False):
            self._state.waited = True
            with contextlib.suppress(threading.BrokenBarrierError):
                self._barrier.wait()


class _RacingPipeline:
    def __init__(self, pipe: Any, racing: RacingRedis) -> None:
        self._pipe, self._racing, self._read = pipe, racing, False

    def __enter__(self) -> _RacingPipeline:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pipe.reset()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._pipe, name)
        if name not in RacingRedis.READS:
            return attr

        def queue(*args: Any, **kwargs: Any) -> Any:
            self._read = True
            attr(*args, **kwargs)
            return self

        return queue

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        result = self._pipe.execute(*args, **kwargs)
        if self._read:
            self._racing.after_read()
        return result


def test_concurrent_checks_never_over_admit(make_limiter: Make, redis) -> None:
    threads = 8
    racing = RacingRedis(redis, parties=threads)
    limiter = make_limiter(limit=3, window=60, client=racing)
    racing.armed = True
    with ThreadPoolExecutor(max_workers=threads) as pool:
        got = list(pool.map(lambda _: limiter.hit("user:ada"), range(threads)))
    assert admitted(got) == 3, (
        f"{threads} concurrent hits on a limit of 3 admitted {admitted(got)}, with every "
        "thread's first read held until all had read; a check (ZCARD) and then an add (ZADD) "
        "in two round trips lets every thread see room: check and add in ONE atomic round "
        "trip (a Lua script) (task 1)"
    )


def test_many_threads_admit_exactly_the_limit(make_limiter: Make) -> None:
    limiter = make_limiter(limit=10, window=60)
    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(lambda _: limiter.hit("ip:198.51.100.1"), range(64)))
    assert admitted(got) == 10, (
        f"64 hits from 16 threads on a limit of 10 admitted {admitted(got)}; expected exactly "
        "10 (task 1)"
    )


def test_after_an_idle_gap_old_requests_no_longer_count(make_limiter: Make, clock) -> None:
    limiter = make_limiter(limit=3, window=60)
    limiter.hit("k")  # t = 0
    clock.advance(100)  # idle for longer than the window
    got = limiter.hit("k")  # t = 100
    assert (got.allowed, got.remaining, got.reset) == (True, 2, 60), (
        f"limit 3 per 60 s: one hit at t=0, then nothing until t=100, where hit() answered "
        f"{got}; expected allowed, remaining=2, reset=60: the t=0 request left the window at "
        "t=60. Drop what left the window on EVERY check, before counting — trimming only once "
        "the log looks full counts stale entries (remaining too low) and reports a reset in "
        "the past (task 1)"
    )


def test_the_expiry_covers_the_newest_request_for_a_full_window(make_limiter: Make, redis, clock):
    limiter = make_limiter(limit=3, window=60)
    limiter.hit("k")  # t = 0
    clock.advance(50)
    limiter.hit("k")  # t = 50: counts until t = 110
    ttl = redis.pttl("ratelimit:k")
    assert ttl > 55_000, (
        f"limit 3 per 60 s, admitted at t=0 and t=50: the key's PTTL is {ttl} ms; expected "
        "about 60000 — PEXPIRE is the window, renewed by each admitted request. Expiring when "
        "the OLDEST entry leaves (10 s here) deletes the whole log while the t=50 request "
        "still counts, and its budget is forgotten (task 1)"
    )
    clock.advance(11)  # t = 61: the t=0 request has left, the t=50 one still counts
    limiter.hit("k")
    assert limiter.hit("k").remaining == 0, (
        "limit 3 per 60 s, admitted at t=0, 50, 61, 61: the 4th left remaining != 0 (task 1)"
    )


def test_two_instances_at_one_instant_admit_exactly_the_limit(make_limiter: Make) -> None:
    worker_1, worker_2 = make_limiter(limit=3, window=60), make_limiter(limit=3, window=60)
    got = [worker.hit("user:ada") for _ in range(3) for worker in (worker_1, worker_2)]
    assert admitted(got) == 3, (
        f"two limiter instances (two app workers) on one Redis, alternating 6 hits for "
        f"user:ada at ONE instant (the fake clock does not move), limit 3: admitted "
        f"{admitted(got)} ({[d.allowed for d in got]}); expected exactly 3 — each request is "
        "its own member: '<ms>-<a per-instance counter>' is the same member in both workers "
        "(both counters start at 0), ZADD overwrites and the shared budget over-admits; add a "
        "random part (uuid4) (task 1)"
    )
