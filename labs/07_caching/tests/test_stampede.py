"""Task 5: a cold key hit by many callers at once is loaded once (single flight).

The races here are forced, not hoped for: the repository's `get` holds every loader until all
20 callers are in flight — each either loading or waiting (paused in the cache's `sleep`).
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
import redis.exceptions as redis_exceptions
from conftest import LOCK_TTL, HookedRedis

from markets_cache.domain import Market
from markets_cache.keys import lock_key, market_key

pytestmark = [pytest.mark.core, pytest.mark.task(5)]
CALLERS = 20


def stampede(
    make_cache, inner, market_id: int, *, lock_ttl: float = 5.0, fail_first: bool = False
) -> list[object]:
    """20 threads call get(market_id) at once; returns what each got.

    `fail_first`: the first load raises once all 20 are in flight (a database hiccup)."""
    guard = threading.Lock()
    loading: list[int] = []
    waiting: set[int] = set()
    all_in_flight = threading.Event()

    def check() -> None:
        if len(loading) + len(waiting) >= CALLERS:
            all_in_flight.set()

    def held_load(_: int) -> None:
        with guard:
            loading.append(threading.get_ident())
            check()
        all_in_flight.wait(timeout=3)
        if fail_first and len(loading) == 1:
            raise RuntimeError("database hiccup")

    def sleep(seconds: float) -> None:
        with guard:
            waiting.add(threading.get_ident())
            check()
        time.sleep(seconds)

    inner.before_get = held_load
    cache = make_cache(sleep=sleep, lock_ttl=lock_ttl)  # 5 s outlasts a slow, loaded machine
    start = threading.Barrier(CALLERS)
    results: list[object] = []

    def call() -> None:
        start.wait()
        try:
            results.append(cache.get(market_id))
        except Exception as exc:  # shown in the assertion, not lost in a thread
            results.append(exc)

    threads = [threading.Thread(target=call) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=8)
    inner.before_get = None
    return results


def test_twenty_concurrent_misses_call_the_repository_once(make_cache, inner, market) -> None:
    results = stampede(make_cache, inner, market.id)
    assert results == [market] * CALLERS, (
        f"20 concurrent get({market.id}) returned {results!r}; every caller gets the market "
        "(task 5)"
    )
    assert inner.calls["get"] == 1, (
        f"20 callers missed market {market.id} at once and the repository was called "
        f"{inner.calls['get']} times; expected exactly 1 — a stampede: every client missing at "
        "once reloads the same row. Take a lock in Redis (SET lock NX PX) before loading; the "
        "others pause with the cache's `sleep`, then read the cache (task 5)"
    )


def test_twenty_concurrent_misses_on_a_missing_id_call_the_repository_once(
    make_cache, inner
) -> None:
    results = stampede(make_cache, inner, 404)
    assert results == [None] * CALLERS and inner.calls["get"] == 1, (
        f"20 concurrent get(404) returned {results!r} after {inner.calls['get']} repository "
        "calls; expected None for each, after 1 call: the single flight covers misses too "
        "(task 5)"
    )


def test_when_the_holder_fails_a_waiter_takes_the_lock_over(make_cache, inner, market):
    results = stampede(make_cache, inner, market.id, lock_ttl=2.0, fail_first=True)
    failed = [r for r in results if isinstance(r, Exception)]
    assert len(failed) == 1 and results.count(market) == CALLERS - 1, (
        f"the first loader's repository call raised while 19 callers waited; they got "
        f"{results!r}; expected 1 error (the loader's) and the market for the 19 (task 5)"
    )
    assert inner.calls["get"] == 2, (
        f"the lock holder's load raised (it released the lock in its finally) while 19 "
        f"callers waited, and the repository was then called {inner.calls['get'] - 1} more "
        "times; expected 1: a waiter that wakes to an empty key and a free lock takes the "
        "lock and loads, the others wait for it. Waiters that only read the cache sleep the "
        "whole lock_ttl and then all load at once — a stampede after the failure (task 5)"
    )


def test_the_lock_expires_on_its_own_while_held(make_cache, inner, redis, market) -> None:
    seen: list[tuple[object, int]] = []
    inner.before_get = lambda market_id: seen.append(
        (redis.get(lock_key(market_id)), redis.pttl(lock_key(market_id)))
    )
    make_cache().get(market.id)
    held, ttl = seen[0]
    assert held and 0 < ttl <= LOCK_TTL * 1000, (
        f"while loading market {market.id}, {lock_key(market.id)!r} held {held!r} with PTTL "
        f"{ttl} ms; expected a token of yours with a PTTL of at most lock_ttl = "
        f"{LOCK_TTL * 1000:.0f} ms (-2: no lock under markets_cache.keys.lock_key(id); -1: no "
        "expiry, so a loader that crashes blocks every reader of that key forever) (task 5)"
    )


def test_the_lock_is_released_after_loading(make_cache, redis, market) -> None:
    make_cache().get(market.id)
    left = redis.get(lock_key(market.id))
    assert left is None, (
        f"after get({market.id}) loaded and cached the market, {lock_key(market.id)!r} still "
        f"holds {left!r}; release the lock when the load is done, so the next miss does not "
        "wait for it to expire (task 5)"
    )


def test_release_never_deletes_someone_elses_lock(make_cache, inner, redis, market) -> None:
    def lock_expired_and_taken(market_id: int) -> None:
        # Our load was slow: our lock expired, and another caller now holds the key.
        redis.set(lock_key(market_id), "another-callers-token", px=60_000)

    inner.before_get = lock_expired_and_taken
    make_cache().get(market.id)
    left = redis.get(lock_key(market.id))
    assert left == "another-callers-token", (
        f"our lock expired during the load and another caller took it; after our get() the "
        f"lock holds {left!r}: release deleted a lock that was not ours, letting a third "
        "caller load beside the second. Delete only if the value is still your token, "
        "atomically: a Lua compare-and-delete (GET then DEL races) (task 5)"
    )


def test_a_waiter_reads_what_the_holder_cached(make_cache, inner, redis, market) -> None:
    redis.set(lock_key(market.id), "holder", px=60_000)  # someone else is loading
    pauses: list[float] = []

    def holder_finishes(seconds: float) -> None:
        pauses.append(seconds)
        redis.set(market_key(market.id), make_cache_text(market), px=60_000)

    got = make_cache(sleep=holder_finishes).get(market.id)
    assert got == market and inner.calls["get"] == 0, (
        f"with the lock held by another caller, get({market.id}) returned {got!r} after "
        f"{len(pauses)} pauses and {inner.calls['get']} repository calls; a waiter pauses, "
        "then reads the cache the holder filled — it does not load itself (task 5)"
    )


@pytest.mark.parametrize("lock_ttl", [LOCK_TTL, 0.3, 2.5])
def test_a_waiter_gives_up_after_lock_ttl_and_loads(
    make_cache, inner, redis, market, lock_ttl
) -> None:
    redis.set(lock_key(market.id), "crashed-holder", px=60_000)  # held, never filled
    pauses: list[float] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        assert sum(pauses) < 5 * lock_ttl, (
            f"a waiter has paused {len(pauses)} times, {sum(pauses):.2f} s in all, for a "
            f"lock nobody releases; wait at most lock_ttl = {lock_ttl} s, then load from the "
            "repository: a crashed holder must not block readers (task 5)"
        )

    got = make_cache(sleep=sleep, lock_ttl=lock_ttl).get(market.id)
    assert got == market and inner.calls["get"] == 1, (
        f"get({market.id}) behind a stuck lock returned {got!r} after "
        f"{inner.calls['get']} repository calls; expected the market, loaded once (task 5)"
    )
    assert lock_ttl * 0.9 <= sum(pauses) <= lock_ttl * 1.2, (
        f"with lock_ttl={lock_ttl}, behind a stuck lock the waiter paused {sum(pauses):.3f} s "
        f"in all; expected about lock_ttl = {lock_ttl} s — the cache's own setting, not a "
        "constant: that long, the lock's holder may still fill the cache (task 5)"
    )
    assert min(pauses) > 0 and len(pauses) <= 50 * max(1.0, lock_ttl), (
        f"the waiter looked {len(pauses)} times in {lock_ttl} s, pauses {pauses[:6]}…; back "
        "off (double the pause, up to 50 ms): 19 waiters polling every millisecond are a "
        "stampede on Redis instead (task 5)"
    )
    assert max(pauses) <= 0.05, (
        f"with lock_ttl={lock_ttl} the waiter's pauses grew to {max(pauses):.3f} s "
        f"({[round(p, 3) for p in pauses]}); cap each pause at 50 ms: a waiter asleep for "
        "half a second keeps sleeping long after the holder filled the cache (task 5)"
    )


def make_cache_text(market: Market) -> str:
    from markets_cache.codec import encode_market

    return encode_market(market)


def test_the_lock_is_per_market(make_cache, inner, redis, market) -> None:
    other = inner.add(name="Snow", slug="snow", volume=Decimal("1.00"))
    redis.set(lock_key(other.id), "someone", px=60_000)
    got = make_cache(sleep=lambda s: pytest.fail("waited on another market's lock")).get(market.id)
    assert got == market, f"get({market.id}) returned {got!r} (task 5)"


def test_the_lock_holder_reads_the_cache_before_loading(make_cache, inner, redis, market):
    hooked = HookedRedis(redis)

    def another_loader_just_finished(*args: object, **options: object) -> None:
        name = args[0] if args else options.get("name")
        if options.get("nx") and name == lock_key(market.id):
            hooked.before.pop("set")
            # Between our miss and our SET NX, the previous holder cached and released.
            redis.set(market_key(market.id), make_cache_text(market), px=60_000)

    hooked.before["set"] = another_loader_just_finished
    got = make_cache(client=hooked).get(market.id)
    assert got == market and inner.calls["get"] == 0, (
        f"the cache was filled by another loader between our miss and our SET NX; get() "
        f"returned {got!r} after {inner.calls['get']} repository calls, expected 0: once you "
        "hold the lock, read the cache again before loading — the holder before you may "
        "have just filled it, and under load that is the common case (task 5)"
    )


def test_release_is_one_atomic_compare_and_delete(make_cache, redis, market) -> None:
    hooked = HookedRedis(redis)
    swapped: list[str] = []

    def lock_changes_hands(result: object, *args: object, **options: object) -> None:
        name = args[0] if args else options.get("name")
        if name == lock_key(market.id) and result is not None:
            # Right after the holder read its own token, its lock expired and was retaken.
            redis.set(lock_key(market.id), "the-next-holder", px=60_000)
            swapped.append(str(result))

    hooked.after["get"] = lock_changes_hands
    make_cache(client=hooked).get(market.id)
    left = redis.get(lock_key(market.id))
    assert not swapped or left == "the-next-holder", (
        f"release read the lock ({swapped[0] if swapped else ''!r}, its own token), the lock "
        f"then changed hands, and release deleted it anyway (it now holds {left!r}): a GET "
        "then a DEL from Python is two commands, and anything can happen between them. "
        "Compare and delete in one Lua script, which Redis runs atomically (task 5)"
    )


def test_a_failed_load_releases_the_lock(make_cache, inner, redis, market) -> None:
    def database_down(market_id: int) -> None:
        raise RuntimeError("database unavailable")

    inner.before_get = database_down
    with pytest.raises(RuntimeError, match="database unavailable"):
        make_cache().get(market.id)
    left = redis.get(lock_key(market.id))
    assert left is None, (
        f"the repository raised while we held the lock, and {lock_key(market.id)!r} still "
        f"holds {left!r}: every reader of market {market.id} now waits lock_ttl for nothing. "
        "Release in a `finally` (task 5)"
    )


def test_each_load_takes_the_lock_with_a_fresh_token(make_cache, inner, redis, market):
    tokens: list[object] = []
    inner.before_get = lambda market_id: tokens.append(redis.get(lock_key(market_id)))
    cache = make_cache()
    cache.get(market.id)
    redis.delete(market_key(market.id))
    cache.get(market.id)
    redis.delete(market_key(market.id))
    make_cache().get(market.id)  # another worker, configured alike: the same seeded `random`
    assert len(tokens) == 3 and tokens[0] and len(set(tokens)) == 3, (
        f"three loads of market {market.id} (two by one cache, one by a second cache given "
        f"the same seeded `random`) held the lock with tokens {tokens}; each load needs a "
        "token of its own, unguessable — secrets.token_hex, never the injected `random`, "
        "which two workers seeded alike replay: with a shared token, a holder that outlived "
        "its lock releases, or fills under, the next holder's (task 5)"
    )


class ReadsThenWaits:
    """A repository whose `get` reads the row, then runs `meanwhile()` before it returns:
    a load that read the old market while an update was landing."""

    def __init__(self, inner, meanwhile) -> None:
        self._inner = inner
        self.meanwhile = meanwhile

    def get(self, market_id: int):
        market = self._inner.get(market_id)
        if self.meanwhile is not None:
            meanwhile, self.meanwhile = self.meanwhile, None
            meanwhile()
        return market

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@pytest.mark.parametrize("lock", ["free", "stuck"])
@pytest.mark.parametrize("write", ["update", "delete"])
def test_a_load_that_read_before_a_write_does_not_cache_the_old_market(
    make_cache, inner, redis, market, write, lock
) -> None:
    writer = make_cache()
    if write == "update":
        slow = ReadsThenWaits(inner, lambda: writer.update(market.id, name="Rain in Faro"))
    else:
        slow = ReadsThenWaits(inner, lambda: writer.delete(market.id))
    if lock == "stuck":  # a holder that crashed: our loader waits lock_ttl, gives up, loads
        redis.set(lock_key(market.id), "crashed-holder", px=60_000)
    make_cache(inner=slow).get(market.id)  # read the old row; the write landed before it stored
    got = make_cache().get(market.id)
    expected = "None" if write == "delete" else "the market named 'Rain in Faro'"
    how = (
        "A waiter that gave up on a stuck lock holds no lease: it returns what it loaded "
        "without storing it"
        if lock == "stuck"
        else "Make the lock a lease: the write deletes the lock with the key (one DEL), and "
        "the loader stores only while its lock is still its own (one Lua script: compare "
        "the token, then SET)"
    )
    fresh = got is None if write == "delete" else got is not None and got.name == "Rain in Faro"
    assert fresh, (
        f"with the lock {lock}, a load read market {market.id} just before a {write} landed, "
        f"and stored it after the {write} had invalidated; get() now serves {got!r}, expected "
        f"{expected} — stale for a whole TTL, though {write} returned long ago. {how} "
        "(lease, task 5)"
    )


def test_the_lease_check_and_the_store_are_one_atomic_script(make_cache, inner, redis, market):
    hooked = HookedRedis(redis)
    writer = make_cache()
    fired: list[object] = []

    def update_lands(result: object, *args: object, **options: object) -> None:
        name = args[0] if args else options.get("name")
        if name == lock_key(market.id) and result is not None and not fired:
            fired.append(result)  # the loader just read its own token back: the lease holds…
            writer.update(market.id, name="Rain in Faro")  # …and now it does not

    hooked.after["get"] = update_lands
    make_cache(client=hooked).get(market.id)
    got = make_cache().get(market.id)
    assert not fired or (got is not None and got.name == "Rain in Faro"), (
        f"the loader read its lock ({fired[0] if fired else None!r}, its own token), an update "
        f"landed right after, and the loader stored the old market anyway: get() now serves "
        f"{got!r}. A GET of the lock then a SET from Python is two commands, and a write can "
        "land between them: compare the token and SET in one Lua script (task 5)"
    )


def test_the_lock_is_never_left_without_an_expiry(make_cache, redis, market) -> None:
    hooked = HookedRedis(redis)

    def times_out(*args: object, **options: object) -> None:
        raise redis_exceptions.TimeoutError("Timeout reading from 127.0.0.1:6379")

    for command in ("expire", "pexpire", "expireat", "pexpireat"):
        hooked.before[command] = times_out
    got = make_cache(client=hooked).get(market.id)
    ttl = redis.pttl(lock_key(market.id))
    assert got == market and ttl != -1, (
        f"Redis timed out on a command that sets an expiry; get({market.id}) returned {got!r} "
        f"and left {lock_key(market.id)!r} with PTTL {ttl} ms (-1: no expiry, ever). A lock "
        "taken by SET NX and then given its expiry by a second command lives forever when "
        "the second one fails: every later get of this market waits lock_ttl, then loads. "
        "Take it with one SET … NX PX (task 5)"
    )


def test_two_markets_loading_at_once_through_one_cache(make_cache, inner, redis, market):
    other = inner.add(name="Snow", slug="snow", volume=Decimal("1.00"))
    both_loading = threading.Barrier(2, timeout=3)
    inner.before_get = lambda market_id: both_loading.wait()
    cache = make_cache()  # one instance, shared by the threads of a worker
    got: dict[int, object] = {}
    threads = [
        threading.Thread(target=lambda i=i: got.__setitem__(i, cache.get(i)))
        for i in (market.id, other.id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    inner.before_get = None
    state = {
        i: (redis.get(market_key(i)) is not None, redis.get(lock_key(i)))
        for i in (market.id, other.id)
    }
    assert got == {market.id: market, other.id: other} and all(
        cached and lock is None for cached, lock in state.values()
    ), (
        f"two threads loaded markets {market.id} and {other.id} at once through one cache; "
        f"they got {got!r}, and Redis holds (cached?, lock) {state}; expected both cached and "
        "both locks released. Each load's token belongs to that call (a local variable "
        "passed along), not to the cache object: on `self`, the second thread's token "
        "overwrites the first's, whose fill and release are then refused (task 5)"
    )
